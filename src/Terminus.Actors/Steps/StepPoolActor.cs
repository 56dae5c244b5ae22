using Akka.Actor;

namespace Terminus.Actors.Steps;

/// <summary>
/// A pool router with a real bound: <c>size</c> workers, each doing one step at a time, and a FIFO of the steps
/// waiting for a free worker. Akka's smallest-mailbox pool cannot be used for this: a worker waiting on its
/// process has an empty mailbox and looks idle, so it would be handed more work; Akka.NET has no balancing pool.
/// </summary>
public sealed class StepPoolActor : ReceiveActor
{
    private readonly Queue<IActorRef> _free = new();
    private readonly Queue<StepWorkerActor.Assigned> _waiting = new();

    public StepPoolActor(Props worker, int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), "a pool needs at least one worker");
        for (var i = 1; i <= size; i++) _free.Enqueue(Context.ActorOf(worker, $"worker-{i}"));

        Receive<RunStep>(step =>
        {
            _waiting.Enqueue(new StepWorkerActor.Assigned(step, Sender));
            Dispatch();
        });
        Receive<StepWorkerActor.Free>(free =>
        {
            _free.Enqueue(free.Worker);
            Dispatch();
        });
    }

    public static Props Props(IStepExecutor executor, int size) =>
        Akka.Actor.Props.Create(() => new StepPoolActor(StepWorkerActor.Props(executor), size));

    /// <summary>A worker's crash must not lose the pool; it is restarted and its step was already answered or is lost with it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Restart);

    private void Dispatch()
    {
        while (_free.Count > 0 && _waiting.Count > 0) _free.Dequeue().Tell(_waiting.Dequeue());
    }
}
