using Akka.Actor;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// Do one step of a job; the worker answers the sender with the messages below. <paramref name="Resume"/>: the job
/// comes back from its ledger, so its service may already run or have run: re-attach to it, never start it twice.
/// </summary>
public sealed record RunStep(StepKind Kind, JobSpec Spec, bool Resume = false) : INoSerializationVerificationNeeded;

/// <summary>The service process is running (the <c>pending</c> → <c>running</c> edge).</summary>
public sealed record StepStarted(JobId JobId, StepKind Kind);

public sealed record StepSucceeded(JobId JobId, StepKind Kind);

/// <summary>A failed step, as data: the exact status text for the portal and a detail for the operator.</summary>
public sealed record StepFailed(JobId JobId, StepKind Kind, string StatusText, string Detail, bool TimedOut = false);

/// <summary>What an executor is made with: the actor system (for helpers such as the SLURM poller) and a logger.</summary>
public sealed record StepContext(ActorSystem System, Akka.Event.ILoggingAdapter Log);

/// <summary>Does the real work of a step (a process, SLURM, tar, rsync). Expected failures are outcomes, not exceptions.</summary>
public interface IStepExecutor
{
    /// <param name="started">Call once the work really began (for a service: its process runs).</param>
    Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken);
}
