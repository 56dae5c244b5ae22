using Akka.Actor;
using Akka.Event;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// Does one step through its executor without blocking (PipeTo), answers the requester, then tells its pool it
/// is free again. An executor that throws yields a failed step, never a silent one. A <see cref="StopStep"/> makes
/// the executor kill its work; the worker is free again, and the job answered, only once that work has ended.
/// </summary>
public sealed class StepWorkerActor : ReceiveActor
{
    private readonly IStepExecutor _executor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource? _stop;
    private StepControl? _control;
    private Assigned? _current;
    private StopStep? _stopReason;

    public StepWorkerActor(IStepExecutor executor)
    {
        _executor = executor;
        Receive<Assigned>(Start);
        Receive<StopStep>(Stop);
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
        (_current, _stopReason, _stop) = (assigned, null, new CancellationTokenSource());
        var control = _control = new StepControl(limit => requester.Tell(new StepStarted(jobId, step.Kind, limit)), _stop.Token, _stopping.Token,
            launched => requester.Tell(launched), submitted => requester.Tell(submitted));
        Task<StepOutcome> work;
        try { work = _executor.ExecuteAsync(step, control); }
        catch (Exception e) { work = Task.FromException<StepOutcome>(e); }
        work.PipeTo(Self, success: o => new Done(assigned, o, null), failure: e => new Done(assigned, null, e));
    }

    private void Stop(StopStep stop)
    {
        if (_current is not { } current || current.Step.Spec.JobId != stop.JobId || current.Step.Kind != stop.Kind || _stopReason is not null) return;
        _log.Info("Job #{0}: stopping its {1} step: {2}", stop.JobId, stop.Kind.ToString().ToLowerInvariant(), stop.Detail);
        _stopReason = stop;
        _stop!.Cancel();
    }

    private void Finish(Done done)
    {
        var (step, requester) = (done.Assigned.Step, done.Assigned.Requester);
        var jobId = step.Spec.JobId;
        object reply = (done.Outcome, _stopReason) switch
        {
            (StepOutcome.Succeeded, _) => new StepSucceeded(jobId, step.Kind),
            (_, { } stop) => new StepFailed(jobId, step.Kind, stop.StatusText, stop.Detail, stop.TimedOut),
            (StepOutcome.Failed f, _) => new StepFailed(jobId, step.Kind, f.StatusText, f.Detail),
            (StepOutcome.TimedOut t, _) => new StepFailed(jobId, step.Kind, StatusTexts.TimedOut, t.Detail, TimedOut: true),
            _ => Crashed(jobId, step.Kind, done.Error?.GetBaseException()),
        };
        _control?.Dispose();
        _stop?.Dispose();
        (_current, _stopReason, _stop, _control) = (null, null, null, null);
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
