namespace Terminus.Core.Execution;

/// <summary>
/// Admission control: whether this host can take another job now. A job accepted on a full disk would fail later,
/// after its request left the broker; refusing to take it leaves it in the queue until the host is healthy again.
/// </summary>
public static class HostHealth
{
    public const long MinFreeInodes = 1000;

    /// <summary>
    /// The job ledger's file system needs far less than the job directory's (a job writes a few kilobytes there), but a
    /// full one stops every job: below this (or <c>TERMINUS_MIN_FREE_MB</c>, if smaller), no new job is taken.
    /// </summary>
    public const long MinLedgerFreeBytes = 16L * 1024 * 1024;

    /// <returns>What is wrong, in one line for the log, or null when the host can take jobs.</returns>
    public static string? Problem(string jobDir, DiskSpace? jobDisk, long minFreeBytes, string serviceDir, string? serviceDirError,
        string? ledgerDir = null, DiskSpace? ledgerDisk = null)
    {
        if (ledgerDir is not null && LedgerProblem(ledgerDir, ledgerDisk, minFreeBytes) is { } ledger) return ledger;
        if (jobDisk is null) return $"the free space of {jobDir} cannot be read";
        if (jobDisk.FreeBytes < minFreeBytes)
            return $"only {Mib(jobDisk.FreeBytes)} MiB free on the file system of {jobDir} (at least {Mib(minFreeBytes)} MiB are needed: TERMINUS_MIN_FREE_MB)";
        if (jobDisk.TotalInodes > 0 && jobDisk.FreeInodes < MinFreeInodes)
            return $"only {jobDisk.FreeInodes} free inodes on the file system of {jobDir}";
        if (serviceDirError is not null) return $"the service directory {serviceDir} cannot be read: {serviceDirError}";
        return null;
    }

    /// <returns>What keeps the ledger's file system from taking the daemon's writes, or null.</returns>
    public static string? LedgerProblem(string ledgerDir, DiskSpace? disk, long minFreeBytes)
    {
        var needed = Math.Min(minFreeBytes, MinLedgerFreeBytes);
        if (disk is null) return $"the free space of the job ledger's directory {ledgerDir} cannot be read";
        if (disk.FreeBytes < needed)
            return $"only {Mib(disk.FreeBytes)} MiB free on the file system of the job ledger ({ledgerDir}; at least {Mib(needed)} MiB are needed)";
        if (disk.TotalInodes > 0 && disk.FreeInodes < MinFreeInodes)
            return $"only {disk.FreeInodes} free inodes on the file system of the job ledger ({ledgerDir})";
        return null;
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
