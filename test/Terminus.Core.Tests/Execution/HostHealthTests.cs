using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class HostHealthTests
{
    private const long Mib = 1024 * 1024;
    private static DiskSpace Free(long bytes, long inodes = 1_000_000) => new(bytes, 100_000 * Mib, inodes, 2_000_000);

    private static string? Problem(DiskSpace? jobDisk, DiskSpace? ledgerDisk, long minFree = 1024 * Mib) =>
        HostHealth.Problem("/srv/jobs", jobDisk, minFree, "/srv/services", null, "/var/lib/terminus/ledger", ledgerDisk);

    [Fact]
    public void A_host_with_room_for_its_jobs_and_its_ledger_takes_jobs() => Assert.Null(Problem(Free(2048 * Mib), Free(100 * Mib)));

    [Fact]
    public void The_ledger_needs_far_less_room_than_the_jobs_but_not_none()
    {
        Assert.Null(Problem(Free(2048 * Mib), Free(HostHealth.MinLedgerFreeBytes)));
        var problem = Problem(Free(2048 * Mib), Free(HostHealth.MinLedgerFreeBytes - 1));
        Assert.Equal("only 15 MiB free on the file system of the job ledger (/var/lib/terminus/ledger; at least 16 MiB are needed)", problem);
    }

    [Fact]
    public void A_smaller_TERMINUS_MIN_FREE_MB_lowers_the_ledgers_need_too() => Assert.Null(Problem(Free(2048 * Mib), Free(5 * Mib), minFree: 4 * Mib));

    [Fact]
    public void A_ledger_whose_space_or_inodes_cannot_be_had_stops_intake()
    {
        Assert.Contains("cannot be read", Problem(Free(2048 * Mib), null));
        Assert.Equal("only 10 free inodes on the file system of the job ledger (/var/lib/terminus/ledger)", Problem(Free(2048 * Mib), Free(100 * Mib, inodes: 10)));
    }

    [Fact]
    public void The_job_directory_is_still_checked_when_no_ledger_is_given() =>
        Assert.Contains("TERMINUS_MIN_FREE_MB", HostHealth.Problem("/srv/jobs", Free(10 * Mib), 1024 * Mib, "/srv/services", null));
}
