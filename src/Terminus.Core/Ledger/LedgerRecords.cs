using Terminus.Core.Jobs;

namespace Terminus.Core.Ledger;

/// <summary>
/// Everything written to the job ledger (Akka.Persistence journal and snapshots). Each record is plain data with a
/// stable JSON form (<see cref="LedgerJson"/>): the ledger of a daemon must stay readable by the next version.
/// </summary>
public interface ILedgerRecord;

// ---- one run of a job: its journal (PersistenceIds.Job: "job-<jobid>", "job-<jobid>-run-<n>" from the second run on) ---

/// <summary>The request was taken: first thing written for a job, before its delivery is acknowledged.</summary>
/// <param name="TaskJson">The Celery task call as received (<see cref="LedgerJson.TaskToJson"/>), re-bound on recovery.</param>
/// <param name="Poisoned">Refused without running: earlier attempts to take this request crashed the daemon.</param>
/// <param name="Run">Which run of this job id it is (a new request for a finished job runs it again).</param>
/// <param name="SeqBase">The last status number of the earlier runs: this run's statuses are numbered after it.</param>
/// <param name="RunToken">A random token put in the environment of everything the run starts (<see cref="Execution.RunIdentity"/>).</param>
public sealed record JobAccepted(long JobId, string TaskId, string? RootTaskId, string TaskJson, DateTimeOffset At, bool Poisoned,
    int Run = 1, long SeqBase = 0, string? RunToken = null) : ILedgerRecord;

/// <summary>
/// The job moved to <paramref name="To"/>; with a <paramref name="Status"/>, that status is queued for the portal
/// (its sequence number is its position among the job's statuses). The validated spec comes with <c>Pending</c>.
/// </summary>
public sealed record JobMoved(JobPhase To, string? Status, string? Message, string? Detail, string? SpecJson, DateTimeOffset At) : ILedgerRecord;

/// <summary>The broker confirmed the job's statuses up to this sequence number.</summary>
public sealed record StatusDelivered(long Seq) : ILedgerRecord;

/// <summary>
/// The daemon launched the job's runner: its pid and start time as the daemon saw them, and the job's cgroup (its
/// key, when the job has one). Written so that a restarted daemon signals only what it can tie to the job.
/// </summary>
public sealed record RunnerLaunched(int Pid, long StartTicks, string? Cgroup, DateTimeOffset At) : ILedgerRecord;

/// <summary>sbatch accepted the job's script: the SLURM job that runs it (for the job's history).</summary>
public sealed record SlurmJobSubmitted(string SlurmJobId, DateTimeOffset At) : ILedgerRecord;

/// <summary>The job was picked up again by a new incarnation; after a crash of the previous one, or not.</summary>
public sealed record JobResumed(bool AfterCrash, DateTimeOffset At) : ILedgerRecord;

/// <summary>The job directory was dealt with after the terminal status (deleted or moved to <c>__failed/</c>).</summary>
public sealed record JobDirRetired(string What, DateTimeOffset At) : ILedgerRecord;

// ---- the supervisor's journal (PersistenceIds.Supervisor: "job-ledger") ------------------------------------------

public sealed record DaemonStarted(string Host, DateTimeOffset At) : ILedgerRecord;

/// <summary>A graceful stop completed: the next start is not a recovery from a crash.</summary>
public sealed record DaemonStopped(DateTimeOffset At) : ILedgerRecord;

/// <summary>A new job, or a new run of a finished one, is about to be accepted (its own journal starts right after).</summary>
public sealed record JobAdmitted(long JobId, string TaskId, DateTimeOffset At, int Run = 1, long SeqBase = 0) : ILedgerRecord;

/// <summary>An admitted job whose acceptance never got written (the daemon died in between); its delivery comes back.</summary>
public sealed record JobAbandoned(long JobId, string TaskId, DateTimeOffset At) : ILedgerRecord;

/// <summary>A job reached its terminal status, the broker confirmed it, and its directory was dealt with.</summary>
public sealed record JobRetired(long JobId, string Status, string Message, long Seq, string TaskId, string? RootTaskId, DateTimeOffset At,
    int Run = 1) : ILedgerRecord;

/// <summary>
/// A cancel was taken for a job: live (its run is stopped), or not arrived yet (its request, when it comes, ends
/// cancelled without running). Kept until the job retires, or as long as retired jobs for one that never comes.
/// </summary>
/// <param name="By">"portal" or "operator".</param>
public sealed record JobCancelRequested(long JobId, string By, string? Reason, DateTimeOffset At) : ILedgerRecord
{
    public CancelRequest ToRequest() => new(new JobId(JobId), CancelRequest.ParseBy(By), Reason);
}

/// <summary>The supervisor's state, so its journal can be trimmed.</summary>
public sealed record LedgerSnapshot(
    IReadOnlyList<LiveJob> Live,
    IReadOnlyList<JobRetired> Retired,
    IReadOnlyDictionary<string, int> Abandoned,
    bool RunOpen,
    IReadOnlyList<JobCancelRequested>? Cancels = null) : ILedgerRecord;

public sealed record LiveJob(long JobId, string TaskId, int Run = 1);
