using Akka.Actor;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// A pool router with a real bound: <c>size</c> workers, each doing one step at a time, and a FIFO of the steps
/// waiting for a free worker. Akka's smallest-mailbox pool cannot be used for this: a worker waiting on its
/// process has an empty mailbox and looks idle, so it would be handed more work; Akka.NET has no balancing pool.
/// </summary>
public sealed class StepPoolActor : ReceiveActor
{
    private readonly Queue<IActorRef> _free = new();
    private readonly List<StepWorkerActor.Assigned> _waiting = [];
    private readonly Dictionary<IActorRef, JobId> _working = [];

    public StepPoolActor(Props worker, int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), "a pool needs at least one worker");
        for (var i = 1; i <= size; i++) _free.Enqueue(Context.ActorOf(worker, $"worker-{i}"));

        Receive<RunStep>(step =>
        {
            _waiting.Add(new StepWorkerActor.Assigned(step, Sender));
            Dispatch();
        });
        Receive<StopStep>(Stop);
        Receive<StepWorkerActor.Free>(free =>
        {
            _working.Remove(free.Worker);
            _free.Enqueue(free.Worker);
            Dispatch();
        });
    }

    public static Props Props(IStepExecutor executor, int size) =>
        Akka.Actor.Props.Create(() => new StepPoolActor(StepWorkerActor.Props(executor), size));

    /// <summary>A worker's crash must not lose the pool; it is restarted and its step was already answered or is lost with it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Restart);

    /// <summary>A waiting step is dropped and answered here; a running one is stopped by its worker, which answers once it has.</summary>
    private void Stop(StopStep stop)
    {
        var index = _waiting.FindIndex(a => a.Step.Spec.JobId == stop.JobId && a.Step.Kind == stop.Kind);
        if (index >= 0)
        {
            var waiting = _waiting[index];
            _waiting.RemoveAt(index);
            waiting.Requester.Tell(new StepFailed(stop.JobId, stop.Kind, stop.StatusText, stop.Detail, stop.TimedOut));
            return;
        }
        foreach (var (worker, job) in _working)
            if (job == stop.JobId) worker.Tell(stop);
    }

    private void Dispatch()
    {
        while (_free.Count > 0 && _waiting.Count > 0)
        {
            var (worker, next) = (_free.Dequeue(), _waiting[0]);
            _waiting.RemoveAt(0);
            _working[worker] = next.Step.Spec.JobId;
            worker.Tell(next);
        }
    }
}
