using Akka.Actor;
using Akka.Event;
using Terminus.Core.Configuration;
using Terminus.Core.Slurm;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>
/// The one poller of all this daemon's SLURM jobs: one <see cref="SlurmQuery"/> per tick whatever the number of
/// jobs, an adaptive interval and a budget of scheduler commands per minute (<see cref="PollSchedule"/>). Each
/// tracked job gets its state (or null: unknown) after every poll. A nudge (a job's exit record appeared) polls soon.
/// </summary>
public sealed class SlurmPollerActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "tick";
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMinutes(1);
    private readonly ISlurmCommands _commands;
    private readonly PollSchedule _schedule;
    private readonly Dictionary<string, Action<SlurmJobState?>> _tracked = new();
    private readonly Dictionary<string, string> _lastStates = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private long _pollStarted;
    private bool _polling;
    private DateTime _lastReport = DateTime.MinValue;

    public ITimerScheduler Timers { get; set; } = null!;

    public SlurmPollerActor(ISlurmCommands commands, SlurmSettings settings)
    {
        _commands = commands;
        _schedule = new PollSchedule(settings.PollMin, settings.PollMax, settings.MaxCallsPerMinute);
        Receive<Track>(t =>
        {
            _tracked[t.SlurmId] = t.OnState;
            _schedule.Hurry();
            ScheduleNext();
        });
        Receive<Untrack>(u =>
        {
            _tracked.Remove(u.SlurmId);
            _lastStates.Remove(u.SlurmId);
        });
        Receive<Nudge>(_ =>
        {
            _schedule.Hurry();
            ScheduleNext();
        });
        Receive<Tick>(_ => Poll());
        Receive<Polled>(OnPolled);
        Receive<GetPollStats>(_ => Sender.Tell(new PollStats(_tracked.Count, _schedule.CallsInLastMinute(DateTime.UtcNow), _schedule.Interval)));
    }

    public static Props Props(ISlurmCommands commands, SlurmSettings settings) =>
        Akka.Actor.Props.Create(() => new SlurmPollerActor(commands, settings));

    /// <summary>Follow a job; <paramref name="OnState"/> is called after every poll (from the poller: keep it quick).</summary>
    public sealed record Track(string SlurmId, Action<SlurmJobState?> OnState) : INoSerializationVerificationNeeded;
    public sealed record Untrack(string SlurmId);
    public sealed record Nudge
    {
        public static readonly Nudge Instance = new();
        private Nudge() { }
    }
    public sealed record GetPollStats
    {
        public static readonly GetPollStats Instance = new();
        private GetPollStats() { }
    }
    public sealed record PollStats(int TrackedJobs, int CommandsInLastMinute, TimeSpan Interval);

    private void ScheduleNext()
    {
        if (_polling || _tracked.Count == 0) return;
        var delay = _schedule.NextDelay(DateTime.UtcNow, commandsPerPoll: 2);
        if (Timers.IsTimerActive(TickTimer) && delay >= _schedule.Interval) return; // one is due anyway
        Timers.StartSingleTimer(TickTimer, Tick.Instance, delay);
    }

    private void Poll()
    {
        if (_polling || _tracked.Count == 0) return;
        _polling = true;
        _pollStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var ids = _tracked.Keys.ToList();
        SlurmQuery.PollAsync(_commands, ids, _stopping.Token)
            .PipeTo(Self, success: r => new Polled(ids, r), failure: e => new Polled(ids, new SlurmPollResult(new Dictionary<string, SlurmJobState>(), 0, e.Message)));
    }

    private void OnPolled(Polled polled)
    {
        _polling = false;
        Telemetry.DaemonMetrics.SlurmPollLatency.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(_pollStarted).TotalSeconds);
        var now = DateTime.UtcNow;
        _schedule.Called(now, Math.Max(1, polled.Result.Commands));
        var changed = false;
        if (polled.Result.Error is { } error)
            _log.Warning("SLURM poll failed: {0}; keeping the jobs' last known states and asking again later", error);
        else
            foreach (var id in polled.Ids.Where(_tracked.ContainsKey))
            {
                var state = polled.Result.States.GetValueOrDefault(id);
                var text = state is null ? "unknown" : $"{state.State} {state.Reason}";
                if (_lastStates.GetValueOrDefault(id) != text) { changed = true; _lastStates[id] = text; }
                _tracked[id](state);
            }
        _schedule.Polled(changed);
        if (now - _lastReport >= ReportEvery && _tracked.Count > 0)
        {
            _lastReport = now;
            _log.Info("SLURM poller: {0} job(s) followed, {1} scheduler command(s) in the last minute (budget {2}), polling every {3:0.#} s",
                _tracked.Count, _schedule.CallsInLastMinute(now), _schedule.MaxCallsPerMinute, _schedule.Interval.TotalSeconds);
        }
        ScheduleNext();
    }

    protected override void PostStop() => _stopping.Cancel();

    private sealed class Tick : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private sealed record Polled(IReadOnlyList<string> Ids, SlurmPollResult Result);
}
