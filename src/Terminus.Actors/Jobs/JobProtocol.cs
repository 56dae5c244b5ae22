using Akka.Actor;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;

namespace Terminus.Actors.Jobs;

/// <summary>A decoded <c>execute_terminus_job</c> with its unsettled delivery and the job slot it was taken with.</summary>
public sealed record SubmitJob(JobRequest Request, CeleryTask Task, IDelivery Delivery, JobSlot Slot) : INoSerializationVerificationNeeded;

/// <summary>Another delivery of a job the daemon already has (a redelivery or a re-send): acknowledged, never run again.</summary>
public sealed record AttachDelivery(IDelivery Delivery) : INoSerializationVerificationNeeded;

/// <summary>
/// How a JobActor starts: with a request just taken, or from its ledger after a restart or a crash. <see cref="Run"/>
/// numbers the runs of one job id (a new request for a finished job runs it again: run 2, 3, …); each run has its
/// own journal.
/// </summary>
public abstract record JobStart(int Run) : INoSerializationVerificationNeeded
{
    /// <param name="Poisoned">Earlier attempts to take this request died with the daemon: refuse it without running it.</param>
    /// <param name="SeqBase">The last status number of the job's earlier runs: this run's statuses continue after it.</param>
    /// <param name="Cancel">A cancel taken before the request came: the job ends cancelled without running.</param>
    public sealed record NewRequest(CeleryTask Task, JobRequest Request, IDelivery Delivery, bool Poisoned, int Run = 1, long SeqBase = 0,
        CancelRequest? Cancel = null) : JobStart(Run);

    /// <param name="AfterCrash">The previous incarnation died (daemon crash or actor failure) rather than stopping cleanly.</param>
    public sealed record Resume(bool AfterCrash, int Run = 1) : JobStart(Run);
}

/// <summary>From the supervisor once a new request's admission is in its ledger: with the job's acceptance written too, its delivery may be acknowledged.</summary>
public sealed record AdmissionWritten
{
    public static readonly AdmissionWritten Instance = new();
    private AdmissionWritten() { }
}

/// <summary>The job reached its terminal phase: its job slot may take the next request while its statuses are confirmed.</summary>
public sealed record JobEnded(JobId JobId);

/// <summary>The job's terminal status is confirmed and its directory dealt with: the supervisor retires it.</summary>
public sealed record JobDone(JobId JobId, OutboxEntry Terminal, string TaskId, string? RootTaskId, int Run = 1);

/// <summary>Admitted, but the daemon died before the job's acceptance was written: nothing to resume (the supervisor stops the actor).</summary>
public sealed record JobNotFound(JobId JobId);

/// <summary>From the supervisor once the retirement is in its ledger: the job may drop its journal and stop.</summary>
public sealed record RetireJob
{
    public static readonly RetireJob Instance = new();
    private RetireJob() { }
}

public sealed record GetLiveJobs
{
    public static readonly GetLiveJobs Instance = new();
    private GetLiveJobs() { }
}

/// <param name="LedgerProblem">Why the ledger cannot be written now (the supervisor is stopped and holds nothing), or null.</param>
public sealed record LiveJobs(IReadOnlyList<JobId> JobIds, string? LedgerProblem = null);

/// <summary>Graceful stop: the supervisor records that this run ended cleanly, then answers <see cref="LedgerStopped"/>.</summary>
public sealed record StopLedger
{
    public static readonly StopLedger Instance = new();
    private StopLedger() { }
}

public sealed record LedgerStopped
{
    public static readonly LedgerStopped Instance = new();
    private LedgerStopped() { }
}

/// <summary>A ledger write failed (a job's or the supervisor's own): the supervisor stops, and its guard starts it again later.</summary>
public sealed record LedgerWriteFailed(string Reason);

/// <summary>From a supervisor whose first write succeeded: the ledger works.</summary>
public sealed record LedgerWritable
{
    public static readonly LedgerWritable Instance = new();
    private LedgerWritable() { }
}

/// <summary>Cancel a job (from the portal's <c>cancel_terminus_job</c> or <c>terminus cancel</c>); answered with <see cref="CancelTaken"/> once it is in the ledger.</summary>
public sealed record CancelJob(CancelRequest Request);

/// <summary>What the ledger made of a <see cref="CancelJob"/>: the cancel is durable (or there was nothing to cancel).</summary>
public sealed record CancelTaken(JobId JobId, CancelDecision Decision);

/// <summary>From the supervisor: stop this run and end it <c>failed</c> (cancelled), unless it has ended already.</summary>
public sealed record CancelRun(CancelRequest Request);
