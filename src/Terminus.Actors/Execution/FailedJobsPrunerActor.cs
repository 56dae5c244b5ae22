using Akka.Actor;
using Akka.Event;

namespace Terminus.Actors.Execution;

/// <summary>
/// Keeps <c>__failed/</c> bounded: at start, then every <see cref="Interval"/>, deletes what failed jobs left there
/// longer ago than TERMINUS_FAILED_RETAIN_DAYS. The deletion runs off the actor's thread; a round that is still going
/// when the next is due lets that one pass.
/// </summary>
public sealed class FailedJobsPrunerActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _busy;

    public ITimerScheduler Timers { get; set; } = null!;

    public FailedJobsPrunerActor(string failedDir, TimeSpan keep)
    {
        Receive<Prune>(_ =>
        {
            if (_busy) return;
            _busy = true;
            Task.Run(() => JobDirectories.PruneFailed(failedDir, keep, DateTime.UtcNow))
                .PipeTo(Self, success: r => new Pruned(r.Deleted, r.Problems), failure: e => new Pruned([], [e.Message]));
        });
        Receive<Pruned>(p =>
        {
            _busy = false;
            foreach (var path in p.Deleted) _log.Info("Deleted {0}: kept in __failed/ for {1} days (TERMINUS_FAILED_RETAIN_DAYS)", path, keep.TotalDays);
            foreach (var problem in p.Problems) _log.Warning("Could not delete from __failed/: {0}", problem);
        });
    }

    public static Props Props(string failedDir, TimeSpan keep) => Akka.Actor.Props.Create(() => new FailedJobsPrunerActor(failedDir, keep));

    protected override void PreStart()
    {
        Self.Tell(Prune.Instance);
        Timers.StartPeriodicTimer("prune", Prune.Instance, Interval);
    }

    /// <summary>Time for a round (also what a test sends).</summary>
    public sealed class Prune : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Prune Instance = new();
        private Prune() { }
    }

    private sealed record Pruned(IReadOnlyList<string> Deleted, IReadOnlyList<string> Problems);
}
