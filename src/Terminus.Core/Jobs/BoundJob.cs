namespace Terminus.Core.Jobs;

/// <summary>The request names a usable job id, so it will get exactly one terminal status.</summary>
public sealed record BoundJob(JobRequest Request) : JobBinding;
