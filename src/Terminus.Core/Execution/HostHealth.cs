namespace Terminus.Core.Execution;

/// <summary>
/// Admission control: whether this host can take another job now. A job accepted on a full disk would fail later,
/// after its request left the broker; refusing to take it leaves it in the queue until the host is healthy again.
/// </summary>
public static class HostHealth
{
    public const long MinFreeInodes = 1000;

    /// <returns>What is wrong, in one line for the log, or null when the host can take jobs.</returns>
    public static string? Problem(string jobDir, DiskSpace? jobDisk, long minFreeBytes, string serviceDir, string? serviceDirError)
    {
        if (jobDisk is null) return $"the free space of {jobDir} cannot be read";
        if (jobDisk.FreeBytes < minFreeBytes)
            return $"only {Mib(jobDisk.FreeBytes)} MiB free on the file system of {jobDir} (at least {Mib(minFreeBytes)} MiB are needed: TERMINUS_MIN_FREE_MB)";
        if (jobDisk.TotalInodes > 0 && jobDisk.FreeInodes < MinFreeInodes)
            return $"only {jobDisk.FreeInodes} free inodes on the file system of {jobDir}";
        if (serviceDirError is not null) return $"the service directory {serviceDir} cannot be read: {serviceDirError}";
        return null;
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
