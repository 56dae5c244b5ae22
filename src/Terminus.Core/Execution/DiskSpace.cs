namespace Terminus.Core.Execution;

/// <summary>Space left on a file system (from statvfs).</summary>
public sealed record DiskSpace(long FreeBytes, long TotalBytes, long FreeInodes, long TotalInodes);
