namespace Terminus.Core.Jobs;

/// <summary>No usable job id: nobody can be told, so the message is logged and rejected.</summary>
public sealed record UnusableJob(string Reason) : JobBinding;
