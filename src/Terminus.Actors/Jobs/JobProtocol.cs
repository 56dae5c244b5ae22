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

/// <summary>How a JobActor starts: with a request just taken, or from its ledger after a restart or a crash.</summary>
public abstract record JobStart : INoSerializationVerificationNeeded
{
    /// <param name="Poisoned">Earlier attempts to take this request died with the daemon: refuse it without running it.</param>
    public sealed record NewRequest(CeleryTask Task, JobRequest Request, IDelivery Delivery, bool Poisoned) : JobStart;

    /// <param name="AfterCrash">The previous incarnation died (daemon crash or actor failure) rather than stopping cleanly.</param>
    public sealed record Resume(bool AfterCrash) : JobStart;
}

/// <summary>The job's terminal status is confirmed and its directory dealt with: the supervisor retires it.</summary>
public sealed record JobDone(JobId JobId, OutboxEntry Terminal, string TaskId, string? RootTaskId);

/// <summary>Admitted, but the daemon died before the job's acceptance was written: nothing to resume (the supervisor stops the actor).</summary>
public sealed record JobNotFound(JobId JobId);

/// <summary>From the supervisor once the retirement is in its ledger: the job may drop its journal and stop.</summary>
public sealed record RetireJob
{
    public static readonly RetireJob Instance = new();
    private RetireJob() { }
}

/// <summary>The JobActor's collaborators: who validates, who reports, the step pools, and where job directories live.</summary>
public sealed record JobDependencies(
    JobValidator Validator,
    IActorRef Reporter,
    IActorRef Runner,
    IActorRef Packager,
    IActorRef Uploader,
    JobTimeouts Timeouts,
    string JobRoot);

/// <summary>
/// Safety nets above each step's own limits, so no job waits forever on a lost reply. A run gets the service's time
/// limit plus <paramref name="RunGrace"/> once it runs; until then (a SLURM job may wait in the queue for days; the
/// runners have their own limits for that) <paramref name="RunStart"/>.
/// </summary>
public sealed record JobTimeouts(TimeSpan RunGrace, TimeSpan Package, TimeSpan Upload, TimeSpan RunStart)
{
    public static readonly JobTimeouts Default = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromDays(7));
}

public sealed record GetLiveJobs
{
    public static readonly GetLiveJobs Instance = new();
    private GetLiveJobs() { }
}

public sealed record LiveJobs(IReadOnlyList<JobId> JobIds);
