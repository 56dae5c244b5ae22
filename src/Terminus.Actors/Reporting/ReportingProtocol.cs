using Terminus.Core.Jobs;

namespace Terminus.Actors.Reporting;

/// <summary>
/// Send a job status to the portal. <paramref name="Seq"/> is the status's number within its job (from the job's
/// ledger: the same status sent again keeps its number, so the portal can drop the copy); <paramref name="Terminal"/>
/// marks the job's last status: nothing numbered after it is ever sent (until a new request runs the job again:
/// <paramref name="Run"/> says which run of the job the status belongs to).
/// </summary>
public sealed record ReportStatus(
    JobId JobId,
    long Seq,
    string Status,
    string Message,
    bool Terminal,
    string? ParentTaskId = null,
    string? RootTaskId = null,
    int Run = 1);

/// <summary>The broker confirmed the status (publisher confirm); sent back to whoever asked for it.</summary>
public sealed record StatusConfirmed(JobId JobId, long Sequence, string Status);

/// <summary>Asks for a <see cref="StatusesFlushed"/> reply once nothing is left to publish (graceful stop).</summary>
public sealed record FlushStatuses
{
    public static readonly FlushStatuses Instance = new();
    private FlushStatuses() { }
}

public sealed record StatusesFlushed(int Unpublished);

/// <summary>
/// Headers of ours on every status message, so the portal can drop duplicates and tell runs apart; the body stays
/// Celery's. See docs/wire-contract.md.
/// </summary>
public static class StatusHeaders
{
    /// <summary>The status's number within its job, 1, 2, 3…, continued across runs; a copy keeps its number.</summary>
    public const string Sequence = "x-terminus-seq";
    /// <summary>Which run of the job the status belongs to: 1, then 2, 3… for each new request of a finished job.</summary>
    public const string Attempt = "x-terminus-attempt";
    /// <summary>How many times this status was published (1, or more when the broker did not confirm it).</summary>
    public const string PublishAttempt = "x-terminus-publish-attempt";
    public const string Host = "x-terminus-host";
}
