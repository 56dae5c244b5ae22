namespace Terminus.Core.Configuration;

/// <summary>
/// How SLURM jobs are followed (with <c>TERMINUS_USE_SLURM=1</c>): one poller for all jobs, adaptive between
/// <see cref="PollMin"/> and <c>TERMINUS_SLURM_POLL_MAX_S</c>, at most <c>TERMINUS_SLURM_MAX_CALLS_PER_MIN</c>
/// scheduler commands a minute; a job pending for a reason that cannot clear fails after
/// <c>TERMINUS_SLURM_STUCK_PENDING_MIN</c>; a job the scheduler no longer knows and that left no result is reported
/// lost <c>TERMINUS_SLURM_LOST_GRACE_S</c> after its time limit.
/// </summary>
public sealed record SlurmSettings(TimeSpan PollMin, TimeSpan PollMax, int MaxCallsPerMinute, TimeSpan StuckPendingLimit, TimeSpan LostGrace)
{
    /// <summary>How long a job SLURM reports ended may take to show its exit record (shared file systems lag).</summary>
    public TimeSpan ExitRecordGrace { get; init; } = TimeSpan.FromSeconds(30);

    public static readonly SlurmSettings Default = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 30,
        TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));
}
