using Akka.Actor;
using Akka.Event;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// Runs one step at a time through its executor without blocking (PipeTo), stashing the next ones; a pool of
/// these bounds how many steps of a kind run at once. An executor that throws yields a failed step, never a
/// silent one.
/// </summary>
public sealed class StepWorkerActor : ReceiveActor, IWithUnboundedStash
{
    private readonly IStepExecutor _executor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();

    public IStash Stash { get; set; } = null!;

    public StepWorkerActor(IStepExecutor executor)
    {
        _executor = executor;
        Idle();
    }

    public static Props Props(IStepExecutor executor) => Akka.Actor.Props.Create(() => new StepWorkerActor(executor));

    private void Idle() => Receive<RunStep>(Start);

    private void Start(RunStep step)
    {
        var requester = Sender;
        var jobId = step.Spec.JobId;
        Task<StepOutcome> work;
        try { work = _executor.ExecuteAsync(step, () => requester.Tell(new StepStarted(jobId, step.Kind)), _stopping.Token); }
        catch (Exception e) { work = Task.FromException<StepOutcome>(e); }
        work.PipeTo(Self, success: o => new Done(requester, jobId, step.Kind, o, null), failure: e => new Done(requester, jobId, step.Kind, null, e));
        Become(Busy);
    }

    private void Busy()
    {
        Receive<RunStep>(_ => Stash.Stash());
        Receive<Done>(done =>
        {
            done.Requester.Tell(ToReply(done));
            Become(Idle);
            Stash.Unstash();
        });
    }

    private object ToReply(Done done)
    {
        switch (done.Outcome)
        {
            case StepOutcome.Succeeded: return new StepSucceeded(done.JobId, done.Kind);
            case StepOutcome.Failed f: return new StepFailed(done.JobId, done.Kind, f.StatusText, f.Detail);
            case StepOutcome.TimedOut t: return new StepFailed(done.JobId, done.Kind, StatusTexts.TimedOut, t.Detail, TimedOut: true);
        }
        var error = done.Error?.GetBaseException();
        _log.Error(error, "Job #{0}: {1} step crashed", done.JobId, done.Kind);
        return new StepFailed(done.JobId, done.Kind, StatusTexts.StoppedWithError($"internal error in Terminus during the {done.Kind.ToString().ToLowerInvariant()} step"),
            error?.Message ?? "no outcome");
    }

    protected override void PostStop() => _stopping.Cancel();

    private sealed record Done(IActorRef Requester, JobId JobId, StepKind Kind, StepOutcome? Outcome, Exception? Error);
}
