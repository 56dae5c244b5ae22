namespace Terminus.Core.Execution;

/// <summary>One entry of a job's tarball: where it is on disk and its name in the archive.</summary>
public sealed record OutputEntry(OutputKind Kind, string FullPath, string ArchiveName, long Size, string? LinkTarget);
