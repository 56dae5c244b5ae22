using Akka.Actor;
using Akka.Event;

namespace Terminus.Actors.Housekeeping;

/// <summary>What a round of a chore did (logged as information) and what it could not do (logged as warnings).</summary>
public sealed record ChoreOutcome(IReadOnlyList<string> Done, IReadOnlyList<string> Problems);

/// <summary>
/// Does something every so often (<see cref="Chores"/>): a round at start, then every interval (an hour by default).
/// A round runs off the actor's thread; one that is still going when the next is due lets that one pass.
/// </summary>
public sealed class ChoreActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromHours(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _interval;
    private bool _busy;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="round">One round, given the time it runs at (UTC).</param>
    public ChoreActor(Func<DateTime, Task<ChoreOutcome>> round, TimeSpan interval)
    {
        _interval = interval;
        Receive<Run>(_ =>
        {
            if (_busy) return;
            _busy = true;
            Task.Run(() => round(DateTime.UtcNow)).PipeTo(Self, failure: e => new ChoreOutcome([], [e.GetBaseException().Message]));
        });
        Receive<ChoreOutcome>(outcome =>
        {
            _busy = false;
            foreach (var line in outcome.Done) _log.Info(line);
            foreach (var line in outcome.Problems) _log.Warning(line);
        });
    }

    public static Props Props(Func<DateTime, ChoreOutcome> round) => Props(now => Task.FromResult(round(now)), DefaultInterval);

    public static Props Props(Func<DateTime, Task<ChoreOutcome>> round, TimeSpan interval) => Akka.Actor.Props.Create(() => new ChoreActor(round, interval));

    protected override void PreStart()
    {
        Self.Tell(Run.Instance);
        Timers.StartPeriodicTimer("round", Run.Instance, _interval);
    }

    /// <summary>Time for a round (also what a test sends).</summary>
    public sealed class Run : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Run Instance = new();
        private Run() { }
    }
}
