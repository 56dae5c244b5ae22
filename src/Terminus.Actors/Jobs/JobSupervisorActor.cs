using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Actors.Reporting;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;

namespace Terminus.Actors.Jobs;

/// <summary>
/// Keeps the job ledger's index (<c>job-ledger</c>): which jobs are live, which finished and with what status, and
/// whether the last run of the daemon ended cleanly. One child per live job, keyed by job id. On start it resumes
/// every live job from its journal before any new request is taken. A request for a live job joins it; one for a
/// finished job gets that job's final status again; neither runs anything. A child that fails is resumed from its
/// journal, with backoff; a job that keeps failing gives up on its own (<see cref="JobActor.MaxCrashResumes"/>).
/// </summary>
public sealed class JobSupervisorActor : ReceivePersistentActor, IWithTimers
{
    public const string LedgerId = "job-ledger";
    /// <summary>Admissions of the same request lost to daemon crashes after which it is refused (a poison request).</summary>
    public const int MaxAbandonedAdmissions = 3;
    private const int SnapshotEvery = 200;
    private static readonly TimeSpan RetiredRetention = TimeSpan.FromDays(30);
    private const int MaxRetiredKept = 100_000;

    private readonly Func<JobId, JobStart, Props> _jobProps;
    private readonly IActorRef _reporter;
    private readonly AdmissionGate _gate;
    private readonly string _host;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LedgerState _state = new();
    private readonly Dictionary<JobId, IActorRef> _children = new();
    private readonly Dictionary<JobId, JobSlot> _slots = new();
    private readonly Dictionary<JobId, int> _respawns = new();
    /// <summary>
    /// Deliveries of live jobs, handed to the job's actor (now, or when it is resumed after a failure). If the job
    /// turns out to have nothing to resume (its acceptance was never written), they go back to the broker.
    /// </summary>
    private readonly Dictionary<JobId, List<IDelivery>> _attached = new();
    private readonly HashSet<IActorRef> _leaving = new();
    private long _incarnations;

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => LedgerId;

    public JobSupervisorActor(Func<JobId, JobStart, Props> jobProps, IActorRef reporter, AdmissionGate gate, string host)
    {
        _jobProps = jobProps;
        _reporter = reporter;
        _gate = gate;
        _host = host;

        Recover<SnapshotOffer>(offer => { if (offer.Snapshot is LedgerSnapshot s) _state.Apply(s); });
        Recover<ILedgerRecord>(record => _state.Apply(record));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<SubmitJob>(Submit);
        Command<JobDone>(Retire);
        Command<JobNotFound>(Abandon);
        Command<Terminated>(OnTerminated);
        Command<Respawn>(r => { if (_state.Live.ContainsKey(r.JobId) && !_children.ContainsKey(r.JobId)) Spawn(r.JobId, new JobStart.Resume(AfterCrash: true)); });
        Command<StopLedger>(_ =>
        {
            var replyTo = Sender;
            Persist(new DaemonStopped(DateTimeOffset.UtcNow), e =>
            {
                _state.Apply(e);
                replyTo.Tell(LedgerStopped.Instance);
            });
        });
        Command<GetLiveJobs>(_ => Sender.Tell(new LiveJobs(_state.Live.Keys.ToArray())));
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("Job ledger snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Job ledger: old entries could not be trimmed: {0}", f.Cause.Message));
    }

    public static Props Props(Func<JobId, JobStart, Props> jobProps, IActorRef reporter, AdmissionGate gate, string host) =>
        Akka.Actor.Props.Create(() => new JobSupervisorActor(jobProps, reporter, gate, host));

    /// <summary>A job actor that throws is stopped (never restarted half-way through a side effect), then resumed from its journal.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void OnRecovered()
    {
        var crashed = _state.RunOpen;
        Persist(new DaemonStarted(_host, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            foreach (var id in _state.Live.Keys.OrderBy(i => i.Value))
            {
                _slots[id] = _gate.Occupy();
                Spawn(id, new JobStart.Resume(crashed));
            }
            if (_state.Live.Count > 0 || crashed)
                _log.Info("Job ledger recovered: {0} unfinished job(s) resumed; the previous run {1}", _state.Live.Count,
                    crashed ? "ended without a clean stop (crash or kill)" : "stopped cleanly");
            _gate.MarkRecovered();
        });
    }

    private void Submit(SubmitJob submit)
    {
        var id = submit.Request.JobId;
        if (_state.Live.ContainsKey(id))
        {
            if (!_attached.TryGetValue(id, out var attached)) _attached[id] = attached = new();
            attached.Add(submit.Delivery);
            if (_children.TryGetValue(id, out var child)) child.Tell(new AttachDelivery(submit.Delivery));
            submit.Slot.Release();
            return;
        }
        if (_state.Retired.TryGetValue(id, out var retired))
        {
            _log.Info("Job #{0}: the request came again but the job finished ({1}); its final status is sent again, nothing runs", id, retired.Status);
            _reporter.Tell(new ReportStatus(id, retired.Seq, retired.Status, retired.Message, true, retired.TaskId, retired.RootTaskId), ActorRefs.NoSender);
            _ = submit.Delivery.AckAsync();
            submit.Slot.Release();
            return;
        }
        var poisoned = _state.AbandonedAdmissions(submit.Task.Id) >= MaxAbandonedAdmissions;
        if (poisoned) _log.Error("Job #{0}: taking request {1} failed {2} times with the daemon: it is refused", id, submit.Task.Id, MaxAbandonedAdmissions);
        Persist(new JobAdmitted(id.Value, submit.Task.Id, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            _slots[id] = submit.Slot;
            Spawn(id, new JobStart.NewRequest(submit.Task, submit.Request, submit.Delivery, poisoned));
            MaybeSnapshot();
        });
    }

    private void Spawn(JobId id, JobStart start)
    {
        var name = $"job-{id}";
        if (!Context.Child(name).IsNobody()) name = $"job-{id}-{++_incarnations}"; // the previous one is still stopping
        var actor = Context.ActorOf(_jobProps(id, start), name);
        Context.Watch(actor);
        _children[id] = actor;
        foreach (var delivery in _attached.GetValueOrDefault(id) ?? []) actor.Tell(new AttachDelivery(delivery));
    }

    private void Retire(JobDone done)
    {
        var child = Sender;
        var t = done.Terminal;
        Persist(new JobRetired(done.JobId.Value, t.Status, t.Message, t.Seq, done.TaskId, done.RootTaskId, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            Leave(done.JobId, child);
            child.Tell(RetireJob.Instance);
            MaybeSnapshot();
        });
    }

    private void Abandon(JobNotFound notFound)
    {
        var child = Sender;
        var taskId = _state.Live.GetValueOrDefault(notFound.JobId, "");
        var attached = _attached.GetValueOrDefault(notFound.JobId) ?? [];
        Persist(new JobAbandoned(notFound.JobId.Value, taskId, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            Leave(notFound.JobId, child);
            Context.Stop(child);
            // The request came again while its empty journal was being read: the broker gives it back for a fresh start.
            foreach (var delivery in attached) _ = delivery.RejectAsync(requeue: true);
        });
    }

    /// <summary>The job no longer holds a slot; its actor is stopping on purpose.</summary>
    private void Leave(JobId id, IActorRef child)
    {
        _leaving.Add(child);
        _children.Remove(id);
        _respawns.Remove(id);
        _attached.Remove(id);
        if (_slots.Remove(id, out var slot)) slot.Release();
    }

    private void OnTerminated(Terminated terminated)
    {
        var actor = terminated.ActorRef;
        if (_leaving.Remove(actor)) return;
        if (_children.FirstOrDefault(c => c.Value.Equals(actor)) is not { Value: not null } current) return; // not a job's current actor
        var id = current.Key;
        _children.Remove(id);
        var attempt = _respawns[id] = _respawns.GetValueOrDefault(id) + 1;
        var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, attempt - 1)));
        _log.Error("Job #{0}: its actor stopped unexpectedly; resuming it from the ledger in {1} s", id, delay.TotalSeconds);
        Timers.StartSingleTimer(("respawn", id), new Respawn(id), delay);
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % SnapshotEvery != 0) return;
        var snapshot = _state.ToSnapshot(DateTimeOffset.UtcNow, RetiredRetention, MaxRetiredKept);
        _state.Apply(snapshot); // drop from memory what the snapshot drops
        SaveSnapshot(snapshot);
    }

    private sealed record Respawn(JobId JobId);
}

/// <summary>Graceful stop: the supervisor records that this run ended cleanly, then answers <see cref="LedgerStopped"/>.</summary>
public sealed record StopLedger
{
    public static readonly StopLedger Instance = new();
    private StopLedger() { }
}

public sealed record LedgerStopped
{
    public static readonly LedgerStopped Instance = new();
    private LedgerStopped() { }
}
