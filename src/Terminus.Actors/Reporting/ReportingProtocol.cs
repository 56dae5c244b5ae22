using Akka.Actor;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Reporting;

/// <summary>
/// Send a job status to the portal. <paramref name="Seq"/> is the status's number within its job (from the job's
/// ledger: the same status sent again keeps its number, so the portal can drop the copy); <paramref name="Terminal"/>
/// marks the job's last status: nothing numbered after it is ever sent.
/// </summary>
public sealed record ReportStatus(
    JobId JobId,
    long Seq,
    string Status,
    string Message,
    bool Terminal,
    string? ParentTaskId = null,
    string? RootTaskId = null);

/// <summary>The broker confirmed the status (publisher confirm); sent back to whoever asked for it.</summary>
public sealed record StatusConfirmed(JobId JobId, long Sequence, string Status);

/// <summary>Asks for a <see cref="StatusesFlushed"/> reply once nothing is left to publish (graceful stop).</summary>
public sealed record FlushStatuses
{
    public static readonly FlushStatuses Instance = new();
    private FlushStatuses() { }
}

public sealed record StatusesFlushed(int Unpublished);

/// <summary>Headers of ours on every status message, so the portal can drop duplicates; the body stays Celery's.</summary>
public static class StatusHeaders
{
    public const string Sequence = "x-terminus-seq";
    public const string Attempt = "x-terminus-attempt";
    public const string Host = "x-terminus-host";
}
