using Akka.Actor;
using Akka.Event;
using Terminus.Infrastructure.Storage;
using Terminus.Core.Execution;

namespace Terminus.Actors.Intake;

/// <summary>
/// Checks now and then that the host can take jobs (free space where jobs run and where the ledger is, a readable
/// service directory) and
/// closes the admission gate while it cannot: the consumer then stops taking requests, which stay in the broker.
/// Says why in the log when it closes, and when it opens again.
/// </summary>
public sealed class HostHealthActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly AdmissionGate _gate;
    private readonly string _jobDir, _serviceDir, _ledgerDir;
    private readonly long _minFreeBytes;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string? _problem;

    public ITimerScheduler Timers { get; set; } = null!;

    public HostHealthActor(AdmissionGate gate, string jobDir, string serviceDir, string ledgerDir, long minFreeBytes)
    {
        (_gate, _jobDir, _serviceDir, _ledgerDir, _minFreeBytes) = (gate, jobDir, serviceDir, ledgerDir, minFreeBytes);
        Receive<Check>(_ => Evaluate());
    }

    public static Props Props(AdmissionGate gate, string jobDir, string serviceDir, string ledgerDir, long minFreeBytes) =>
        Akka.Actor.Props.Create(() => new HostHealthActor(gate, jobDir, serviceDir, ledgerDir, minFreeBytes));

    protected override void PreStart()
    {
        Evaluate();
        Timers.StartPeriodicTimer("check", Check.Instance, Interval);
    }

    private void Evaluate()
    {
        var problem = HostHealth.Problem(_jobDir, FileSystems.SpaceOf(_jobDir), _minFreeBytes, _serviceDir, FileSystems.ListingError(_serviceDir),
            _ledgerDir, FileSystems.SpaceOf(_ledgerDir));
        if (problem == _problem) return;
        if (problem is not null) _log.Warning("Not taking new jobs: {0}; requests wait in the queue until this is fixed", problem);
        else _log.Info("Taking new jobs again: the host is healthy");
        _problem = problem;
        _gate.SetHostProblem(problem);
    }

    private sealed class Check : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Check Instance = new();
        private Check() { }
    }
}
