using Akka.Actor;
using Akka.Event;
using Terminus.Actors.Intake;

namespace Terminus.Actors.Jobs;

/// <summary>
/// Keeps the job supervisor, the ledger's one owner, running. Akka.Persistence never goes on after a failed write: the
/// actor that wrote stops, and a job whose write fails stops its supervisor too (<see cref="LedgerWriteFailed"/>). The
/// guard then marks the ledger broken, so the gate takes no request and probes go unanswered (the portal sees the host
/// down, which it is), answers in the supervisor's place (a request goes back to the broker), and starts the
/// supervisor again after a pause. The new one resumes every live job from what is written, and the mark is lifted once
/// its first write succeeds (<see cref="LedgerWritable"/>): the daemon then takes jobs again by itself.
/// </summary>
public sealed class LedgerGuardActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan MinPause = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(10);

    private readonly Func<bool, Props> _supervisorProps;
    private readonly AdmissionGate _gate;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _supervisor;
    private bool _started;
    private int _failuresInARow;
    private string? _lastFailure;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="supervisorProps">The supervisor's props; given true when it starts again in this process.</param>
    public LedgerGuardActor(Func<bool, Props> supervisorProps, AdmissionGate gate)
    {
        _supervisorProps = supervisorProps;
        _gate = gate;
        Receive<Terminated>(t => { if (Equals(t.ActorRef, _supervisor)) OnSupervisorStopped(); });
        Receive<StartSupervisor>(_ => Start());
        Receive<LedgerWriteFailed>(f => _lastFailure = f.Reason);
        Receive<LedgerWritable>(_ => OnWritable());
        ReceiveAny(message =>
        {
            if (_supervisor is not null) _supervisor.Forward(message);
            else AnswerInItsPlace(message);
        });
    }

    public static Props Props(Func<bool, Props> supervisorProps, AdmissionGate gate) =>
        Akka.Actor.Props.Create(() => new LedgerGuardActor(supervisorProps, gate));

    protected override void PreStart() => Start();

    /// <summary>The supervisor handles its children's failures itself; if it throws, it is stopped and started again from the ledger.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Start()
    {
        _supervisor = Context.ActorOf(_supervisorProps(_started), "job-supervisor");
        _started = true;
        Context.Watch(_supervisor);
    }

    private void OnSupervisorStopped()
    {
        _supervisor = null;
        var pause = TimeSpan.FromTicks(Math.Min(MaxPause.Ticks, MinPause.Ticks << Math.Min(10, _failuresInARow++)));
        var problem = _lastFailure is null ? "the job supervisor stopped unexpectedly" : $"the job ledger cannot be written ({_lastFailure})";
        _gate.SetLedgerProblem(problem);
        _log.Error("{0}: taking no job and answering no probe (the portal sees this host as down); trying again in {1:0.#} s", problem, pause.TotalSeconds);
        Timers.StartSingleTimer("start", StartSupervisor.Instance, pause);
    }

    private void OnWritable()
    {
        _failuresInARow = 0;
        _lastFailure = null;
        if (_gate.LedgerProblem is null) return;
        _gate.SetLedgerProblem(null);
        _log.Info("The job ledger can be written again: taking jobs and answering probes");
    }

    private void AnswerInItsPlace(object message)
    {
        switch (message)
        {
            case SubmitJob submit:
                _ = submit.Delivery.RejectAsync(requeue: true); // back to the broker, taken again once the ledger works
                submit.Slot.Release();
                break;
            case GetLiveJobs:
                Sender.Tell(new LiveJobs([], _gate.LedgerProblem)); // alive, but holding nothing until the ledger works again
                break;
            case CancelJob:
            case StopLedger:
                Sender.Tell(new Status.Failure(new InvalidOperationException(_gate.LedgerProblem ?? "the job ledger cannot be written")));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private sealed class StartSupervisor
    {
        public static readonly StartSupervisor Instance = new();
        private StartSupervisor() { }
    }
}
