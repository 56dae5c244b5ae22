using Akka.Actor;
using Akka.Event;
using Terminus.Actors.Amqp;
using Terminus.Actors.Telemetry;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Reporting;

/// <summary>
/// The one owner of status publishing. Statuses of a job go out in the order they were asked for, one at a
/// time, each retried with backoff until the broker confirms it; jobs do not wait on each other. Numbers come
/// from the job's ledger; nothing numbered after a run's terminal status is sent (a copy of it may be), until a
/// later run of the job begins.
/// </summary>
public sealed class StatusReporterActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private const int RememberedTerminalJobs = 10_000;

    private readonly IMessagePublisher _publisher;
    private readonly CeleryEncoder _encoder;
    private readonly string _host;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<JobId, Outbox> _outboxes = new();
    private readonly Dictionary<JobId, (int Run, long Seq)> _terminal = new();
    private readonly Queue<JobId> _terminalOrder = new();
    private readonly List<IActorRef> _flushWaiters = new();
    private readonly CancellationTokenSource _stopping = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public StatusReporterActor(IMessagePublisher publisher, CeleryEncoder encoder, string host)
    {
        _publisher = publisher;
        _encoder = encoder;
        _host = host;

        Receive<ReportStatus>(Enqueue);
        Receive<Published>(OnPublished);
        Receive<PublishFailed>(OnPublishFailed);
        Receive<Retry>(r => TrySend(r.JobId));
        Receive<FlushStatuses>(_ =>
        {
            _flushWaiters.Add(Sender);
            ReplyToFlushWaitersIfIdle();
        });
    }

    public static Props Props(IMessagePublisher publisher, CeleryEncoder encoder, string host) =>
        Akka.Actor.Props.Create(() => new StatusReporterActor(publisher, encoder, host));

    private void Enqueue(ReportStatus report)
    {
        if (_terminal.TryGetValue(report.JobId, out var terminal)
            && (report.Run < terminal.Run || (report.Run == terminal.Run && report.Seq > terminal.Seq)))
        {
            _log.Warning("Job #{0}: dropped status {1} (seq {2} of run {3}): run {4} of the job already sent its terminal status (seq {5})",
                report.JobId, report.Status, report.Seq, report.Run, terminal.Run, terminal.Seq);
            return;
        }
        if (report.Terminal) RememberTerminal(report.JobId, report.Run, report.Seq);

        if (!_outboxes.TryGetValue(report.JobId, out var outbox)) _outboxes[report.JobId] = outbox = new Outbox();
        outbox.Items.Enqueue(new Item(report, Sender));
        DaemonMetrics.StatusesUnconfirmed.Inc();
        TrySend(report.JobId);
    }

    private void TrySend(JobId jobId)
    {
        if (!_outboxes.TryGetValue(jobId, out var outbox) || outbox.InFlight || outbox.Items.Count == 0) return;
        var item = outbox.Items.Peek();
        outbox.InFlight = true;
        outbox.Attempt++;
        var r = item.Report;
        var message = _encoder.JobStatus(r.JobId.Value, r.Status, r.Message, r.ParentTaskId, r.RootTaskId,
            new Dictionary<string, object?>
            {
                [StatusHeaders.Sequence] = item.Sequence,
                [StatusHeaders.Attempt] = r.Run,
                [StatusHeaders.PublishAttempt] = outbox.Attempt,
                [StatusHeaders.Host] = _host,
            });
        var sequence = item.Sequence;
        _publisher.PublishAsync(message, _stopping.Token).PipeTo(Self,
            success: () => new Published(jobId, sequence),
            failure: e => new PublishFailed(jobId, sequence, e));
    }

    private void OnPublished(Published p)
    {
        var outbox = _outboxes[p.JobId];
        var item = outbox.Items.Dequeue();
        DaemonMetrics.StatusesUnconfirmed.Dec();
        DaemonMetrics.StatusesPublished.Inc();
        _log.Info("Job #{0}: status {1} delivered to the portal's broker (seq {2}, publish attempt {3})",
            p.JobId, item.Report.Status, item.Sequence, outbox.Attempt);
        outbox.InFlight = false;
        outbox.Attempt = 0;
        if (!item.ReplyTo.IsNobody()) item.ReplyTo.Tell(new StatusConfirmed(p.JobId, item.Sequence, item.Report.Status));
        if (outbox.Items.Count == 0)
        {
            _outboxes.Remove(p.JobId);
            ReplyToFlushWaitersIfIdle();
        }
        else TrySend(p.JobId);
    }

    private void OnPublishFailed(PublishFailed f)
    {
        var outbox = _outboxes[f.JobId];
        outbox.InFlight = false;
        var delay = Backoff(outbox.Attempt);
        DaemonMetrics.StatusRetries.Inc();
        Timers.StartSingleTimer(("retry", f.JobId), new Retry(f.JobId), delay);
        _log.Warning("Job #{0}: status {1} not confirmed by the broker (publish attempt {2}): {3}; retrying in {4:0.#} s",
            f.JobId, outbox.Items.Peek().Report.Status, outbox.Attempt, f.Error.GetBaseException().Message, delay.TotalSeconds);
    }

    /// <summary>0.5 s, 1 s, 2 s, … capped at <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Max(0, attempt - 1))));

    private void RememberTerminal(JobId jobId, int run, long seq)
    {
        if (_terminal.TryGetValue(jobId, out var known))
        {
            if (run > known.Run) _terminal[jobId] = (run, seq); // a later run of the job ended
            return;
        }
        _terminal[jobId] = (run, seq);
        _terminalOrder.Enqueue(jobId);
        if (_terminalOrder.Count > RememberedTerminalJobs) _terminal.Remove(_terminalOrder.Dequeue());
    }

    private void ReplyToFlushWaitersIfIdle()
    {
        if (_flushWaiters.Count == 0) return;
        var unpublished = _outboxes.Values.Sum(o => o.Items.Count);
        if (unpublished > 0) return;
        foreach (var waiter in _flushWaiters) waiter.Tell(new StatusesFlushed(0));
        _flushWaiters.Clear();
    }

    protected override void PostStop()
    {
        var unpublished = _outboxes.Values.Sum(o => o.Items.Count);
        if (unpublished > 0) _log.Warning("Stopping with {0} job statuses not confirmed by the broker", unpublished);
        foreach (var waiter in _flushWaiters) waiter.Tell(new StatusesFlushed(unpublished));
        _stopping.Cancel();
    }

    private sealed class Outbox
    {
        public Queue<Item> Items { get; } = new();
        public bool InFlight { get; set; }
        public int Attempt { get; set; }
    }

    private sealed record Item(ReportStatus Report, IActorRef ReplyTo)
    {
        public long Sequence => Report.Seq;
    }
    private sealed record Published(JobId JobId, long Sequence);
    private sealed record PublishFailed(JobId JobId, long Sequence, Exception Error);
    private sealed record Retry(JobId JobId);
}
