using Akka.Actor;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// Do one step of a job; the worker answers the sender with the messages below. <paramref name="Resume"/>: the job
/// comes back from its ledger, so its service may already run or have run: re-attach to it, never start it twice.
/// <paramref name="Runner"/>: what the ledger proves about the job's processes, for a run.
/// </summary>
public sealed record RunStep(StepKind Kind, JobSpec Spec, bool Resume = false, RunIdentity? Runner = null) : INoSerializationVerificationNeeded;

/// <summary>
/// The work of a step really began. <paramref name="Limit"/>: how long it may take from now, when the executor
/// knows better than the job's defaults (an upload's from its size); its deadline counts from here.
/// </summary>
public sealed record StepStarted(JobId JobId, StepKind Kind, TimeSpan? Limit = null);

public sealed record StepSucceeded(JobId JobId, StepKind Kind);

/// <summary>A failed step, as data: the exact status text for the portal and a detail for the operator.</summary>
public sealed record StepFailed(JobId JobId, StepKind Kind, string StatusText, string Detail, bool TimedOut = false);

/// <summary>
/// Stop a job's step now (its deadline passed, or the job is cancelled): its processes are killed and its worker
/// freed, then the requester gets a <see cref="StepFailed"/> with this text (or <see cref="StepSucceeded"/> if the
/// work finished first). A step still waiting for a worker is dropped and answered at once.
/// </summary>
public sealed record StopStep(JobId JobId, StepKind Kind, string StatusText, string Detail, bool TimedOut);

/// <summary>
/// A run's launch, as the daemon saw it (not as the runner's own files say): written to the job's ledger, so that a
/// restarted daemon signals only processes it can tie to the job.
/// </summary>
public sealed record StepLaunched(JobId JobId, int Pid, long StartTicks, string? Cgroup);

/// <summary>A SLURM run's job was accepted by sbatch: its id goes to the job's ledger (its history).</summary>
public sealed record StepSubmitted(JobId JobId, string SlurmJobId);

/// <summary>What an executor is made with: the actor system (for helpers such as the SLURM poller) and a logger.</summary>
public sealed record StepContext(ActorSystem System, Akka.Event.ILoggingAdapter Log);

/// <summary>Does the real work of a step (a process, SLURM, tar, rsync). Expected failures are outcomes, not exceptions.</summary>
public interface IStepExecutor
{
    Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control);
}
