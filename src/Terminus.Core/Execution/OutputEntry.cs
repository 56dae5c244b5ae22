namespace Terminus.Core.Execution;

/// <summary>
/// One entry listed for a job's tarball: a real directory or a regular file with one name, where it is below
/// <c>out/</c>, and (a file) its size when listed, which counts against the size cap.
/// </summary>
public sealed record OutputEntry(RawPath Path, OutputKind Kind, long Size);
