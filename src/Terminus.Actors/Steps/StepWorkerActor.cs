using Akka.Actor;
using Akka.Event;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// Does one step through its executor without blocking (PipeTo), answers the requester, then tells its pool it
/// is free again. An executor that throws yields a failed step, never a silent one.
/// </summary>
public sealed class StepWorkerActor : ReceiveActor
{
    private readonly IStepExecutor _executor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();

    public StepWorkerActor(IStepExecutor executor)
    {
        _executor = executor;
        Receive<Assigned>(Start);
        Receive<Done>(Finish);
    }

    public static Props Props(IStepExecutor executor) => Akka.Actor.Props.Create(() => new StepWorkerActor(executor));

    /// <summary>A step handed out by the pool, with whom to answer.</summary>
    internal sealed record Assigned(RunStep Step, IActorRef Requester) : INoSerializationVerificationNeeded;

    /// <summary>Sent to the pool when the worker can take the next step.</summary>
    internal sealed record Free(IActorRef Worker);

    private void Start(Assigned assigned)
    {
        var (step, requester) = (assigned.Step, assigned.Requester);
        var jobId = step.Spec.JobId;
        Task<StepOutcome> work;
        try { work = _executor.ExecuteAsync(step, () => requester.Tell(new StepStarted(jobId, step.Kind)), _stopping.Token); }
        catch (Exception e) { work = Task.FromException<StepOutcome>(e); }
        work.PipeTo(Self, success: o => new Done(assigned, o, null), failure: e => new Done(assigned, null, e));
    }

    private void Finish(Done done)
    {
        var (step, requester) = (done.Assigned.Step, done.Assigned.Requester);
        var jobId = step.Spec.JobId;
        object reply = done.Outcome switch
        {
            StepOutcome.Succeeded => new StepSucceeded(jobId, step.Kind),
            StepOutcome.Failed f => new StepFailed(jobId, step.Kind, f.StatusText, f.Detail),
            StepOutcome.TimedOut t => new StepFailed(jobId, step.Kind, StatusTexts.TimedOut, t.Detail, TimedOut: true),
            _ => Crashed(jobId, step.Kind, done.Error?.GetBaseException()),
        };
        requester.Tell(reply);
        Context.Parent.Tell(new Free(Self));
    }

    private StepFailed Crashed(JobId jobId, StepKind kind, Exception? error)
    {
        _log.Error(error, "Job #{0}: {1} step crashed", jobId, kind);
        return new StepFailed(jobId, kind,
            StatusTexts.StoppedWithError($"internal error in Terminus during the {kind.ToString().ToLowerInvariant()} step"),
            error?.Message ?? "no outcome");
    }

    protected override void PostStop() => _stopping.Cancel();

    /// <summary>After a crash the worker is fresh and free; the job it was doing ends through its own step timeout.</summary>
    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        Context.Parent.Tell(new Free(Self));
    }

    private sealed record Done(Assigned Assigned, StepOutcome? Outcome, Exception? Error);
}
