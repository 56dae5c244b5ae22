using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Actors.Reporting;
using Terminus.Actors.Telemetry;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Core.Text;

namespace Terminus.Actors.Jobs;

/// <summary>
/// Keeps the job ledger's index (<see cref="PersistenceIds.Supervisor"/>): which jobs are live, which finished and with
/// what status, and whether the last run of the daemon ended cleanly. One child per live job, keyed by job id. On start
/// it resumes every live job from its journal before any new request is taken. What a request becomes is the ledger's
/// decision (<see cref="LedgerState.Decide"/>): the same request joins its live job or gets its finished job's final
/// status again; a new request for a finished job runs it again; a new request for a live job is refused. A child that
/// fails is resumed from its journal, with backoff; a job that keeps failing gives up on its own
/// (<see cref="JobLifecycle.MaxCrashResumes"/>). Every delivery handed to the supervisor is settled on every path.
/// </summary>
public sealed class JobSupervisorActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>Admissions of the same request lost to daemon crashes after which it is refused (a poison request).</summary>
    public const int MaxAbandonedAdmissions = 3;
    /// <summary>Ended jobs whose statuses are not all confirmed yet that no longer hold a job slot (past this, they keep theirs).</summary>
    public const int MaxEndedHoldingNoSlot = 1000;
    private const int SnapshotEvery = 200;
    /// <summary>How long a retired job is remembered (its final status sent again to a request that comes again); then the ledger forgets it.</summary>
    public static readonly TimeSpan RetiredRetention = TimeSpan.FromDays(30);
    private const int MaxRetiredKept = 100_000;

    private readonly Func<JobId, JobStart, Props> _jobProps;
    private readonly IActorRef _reporter;
    private readonly AdmissionGate _gate;
    private readonly string _host;
    private readonly bool _restarted;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LedgerState _state = new();
    private readonly Dictionary<JobId, LiveEntry> _jobs = new();
    /// <summary>
    /// The job of each watched actor. Akka.NET's WatchWith cannot be used here: a persistent actor stashes what comes
    /// while it writes, and the stash keeps the plain Terminated instead of the custom message (fixed in Scala Akka,
    /// akka/akka-core#29101, not in Akka.NET 1.5), which then kills the supervisor with a DeathPactException.
    /// </summary>
    private readonly Dictionary<IActorRef, JobId> _jobOfActor = new();
    private long _incarnations;
    private int _unwritten;
    private int _ended;
    private long _snapshotAt;

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => PersistenceIds.Supervisor;

    /// <param name="restarted">Started again in this process after a failed ledger write (its jobs resume as after a crash).</param>
    public JobSupervisorActor(Func<JobId, JobStart, Props> jobProps, IActorRef reporter, AdmissionGate gate, string host, bool restarted = false)
    {
        _jobProps = jobProps;
        _reporter = reporter;
        _gate = gate;
        _host = host;
        _restarted = restarted;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not LedgerSnapshot s) return;
            _state.Apply(s);
            _snapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<ILedgerRecord>(record => _state.Apply(record));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<SubmitJob>(Submit);
        Command<JobDone>(Retire);
        Command<JobEnded>(e =>
        {
            // Nothing runs any more: its slot goes to the next request, unless too many ended jobs still wait for the broker.
            if (!_jobs.TryGetValue(e.JobId, out var entry) || entry.Ended || _ended >= MaxEndedHoldingNoSlot) return;
            entry.Ended = true;
            _ended++;
            entry.Slot.Release();
        });
        Command<JobNotFound>(Abandon);
        Command<Terminated>(OnTerminated);
        Command<Respawn>(r =>
        {
            if (_jobs.TryGetValue(r.JobId, out var entry) && entry.Actor is null) Spawn(r.JobId, entry, new JobStart.Resume(AfterCrash: true, entry.Run));
        });
        Command<StopLedger>(_ =>
        {
            var replyTo = Sender;
            Persist(new DaemonStopped(DateTimeOffset.UtcNow), e =>
            {
                _state.Apply(e);
                replyTo.Tell(LedgerStopped.Instance);
            });
        });
        Command<LedgerWriteFailed>(f =>
        {
            _log.Error("A job's ledger write failed ({0}): the supervisor stops, and resumes every job from the ledger once it can be written", f.Reason);
            Context.Parent.Tell(f);
            Context.Stop(Self);
        });
        Command<CancelJob>(TakeCancel);
        Command<GetLiveJobs>(_ => Sender.Tell(new LiveJobs(_state.Live.Keys.ToArray())));
        // A saved snapshot makes the entries before it and every older snapshot useless: the ledger keeps one of each.
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Job ledger snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Job ledger: old entries could not be trimmed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Job ledger: old snapshots could not be deleted: {0}", f.Cause.Message));
    }

    public static Props Props(Func<JobId, JobStart, Props> jobProps, IActorRef reporter, AdmissionGate gate, string host, bool restarted = false) =>
        Akka.Actor.Props.Create(() => new JobSupervisorActor(jobProps, reporter, gate, host, restarted));

    /// <summary>Akka.Persistence stops the supervisor after this: its guard hears why, and starts it again later.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(new LedgerWriteFailed(cause.GetBaseException().Message));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>
    /// Stopped (a failed ledger write, or the daemon's end): the slots are freed and what is not acknowledged goes back to
    /// the broker, whose copy comes back to whoever resumes the ledger.
    /// </summary>
    protected override void PostStop()
    {
        foreach (var entry in _jobs.Values)
        {
            entry.Slot.Release();
            foreach (var delivery in entry.Unsettled()) _ = delivery.RejectAsync(requeue: true);
        }
        _jobs.Clear();
        base.PostStop();
    }

    /// <summary>A job actor that throws is stopped (never restarted half-way through a side effect), then resumed from its journal.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void OnRecovered()
    {
        var crashed = _state.RunOpen; // after a failed write too: a job that keeps failing its writes gives up as one that keeps crashing
        Persist(new DaemonStarted(_host, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            Context.Parent.Tell(LedgerWritable.Instance);
            foreach (var (id, live) in _state.Live.OrderBy(l => l.Key.Value))
            {
                var entry = _jobs[id] = new LiveEntry(_gate.Occupy(), live.Run);
                Spawn(id, entry, new JobStart.Resume(crashed, live.Run));
            }
            if (_state.Live.Count > 0 || crashed)
                _log.Info("Job ledger recovered: {0} unfinished job(s) resumed; the previous run {1}", _state.Live.Count,
                    _restarted ? "of the supervisor stopped on a failed ledger write" : crashed ? "ended without a clean stop (crash or kill)" : "stopped cleanly");
            _gate.MarkRecovered();
        });
    }

    private void Submit(SubmitJob submit)
    {
        var id = submit.Request.JobId;
        var taskId = submit.Task.Id;
        switch (_state.Decide(id, taskId))
        {
            case RequestDecision.JoinLive:
                var entry = _jobs[id];
                entry.Hold(submit.Delivery);
                entry.Actor?.Tell(new AttachDelivery(submit.Delivery)); // else handed over when the job is resumed
                submit.Slot.Release();
                break;
            case RequestDecision.RefuseWhileLive refused:
                _log.Warning("Job #{0}: a new request (task {1}) came for the job while it runs (task {2}, run {3}); refused without a status",
                    id, Printable.Line(taskId, 80), Printable.Line(refused.Live.TaskId, 80), refused.Live.Run);
                _ = submit.Delivery.RejectAsync(requeue: false);
                submit.Slot.Release();
                break;
            case RequestDecision.ResendFinal { Retired: var retired }:
                _log.Info("Job #{0}: the request came again but the job finished ({1}); its final status is sent again, nothing runs", id, retired.Status);
                _reporter.Tell(new ReportStatus(id, retired.Seq, retired.Status, retired.Message, true, retired.TaskId, retired.RootTaskId, retired.Run),
                    ActorRefs.NoSender);
                _ = submit.Delivery.AckAsync();
                submit.Slot.Release();
                break;
            case RequestDecision.Admit admit:
                Admit(submit, admit);
                break;
        }
    }

    private void Admit(SubmitJob submit, RequestDecision.Admit admit)
    {
        var id = submit.Request.JobId;
        var poisoned = _state.AbandonedAdmissions(submit.Task.Id) >= MaxAbandonedAdmissions;
        if (poisoned)
            _log.Error("Job #{0}: taking request {1} failed {2} times with the daemon: it is refused", id, Printable.Line(submit.Task.Id), MaxAbandonedAdmissions);
        if (admit.Run > 1)
            _log.Info("Job #{0}: a new request (task {1}) for a finished job: run {2}, its statuses numbered from {3}", id,
                Printable.Line(submit.Task.Id), admit.Run, admit.SeqBase + 1);
        // Applied at once, so that the next request is decided on it; written together with whatever comes meanwhile
        // (group commit), while the job writes its acceptance. The job acknowledges the delivery once both are written.
        var admitted = new JobAdmitted(id.Value, submit.Task.Id, DateTimeOffset.UtcNow, admit.Run, admit.SeqBase);
        _state.Apply(admitted);
        var entry = _jobs[id] = new LiveEntry(submit.Slot, admit.Run);
        entry.Hold(submit.Delivery); // acked by the job once accepted; given back to the broker if the job never gets that far
        var cancel = _state.CancelOf(id)?.ToRequest();
        if (cancel is not null) _log.Info("Job #{0}: its request came after a cancel by {1}; it ends cancelled without running", id, cancel.Who);
        Spawn(id, entry, new JobStart.NewRequest(submit.Task, submit.Request, submit.Delivery, poisoned, admit.Run, admit.SeqBase, cancel));
        WriteAsync(admitted, () => entry.Actor?.Tell(AdmissionWritten.Instance));
    }

    /// <summary>
    /// Writes a record already applied to the state without holding up the next command: records written meanwhile go
    /// to the ledger together. A failed write stops the supervisor, which then starts again from what is written.
    /// </summary>
    private void WriteAsync(ILedgerRecord record, Action written)
    {
        _unwritten++;
        PersistAsync(record, _ =>
        {
            _unwritten--;
            written();
            MaybeSnapshot();
        });
    }

    private void Spawn(JobId id, LiveEntry entry, JobStart start)
    {
        var name = $"job-{id}";
        if (!Context.Child(name).IsNobody()) name = $"job-{id}-{++_incarnations}"; // the previous one is still stopping
        var actor = Context.ActorOf(_jobProps(id, start), name);
        Context.Watch(actor);
        _jobOfActor[actor] = id;
        entry.Actor = actor;
        // Deliveries that came while the job had no actor; the first one of a new job is already in its start.
        foreach (var delivery in entry.Unsettled())
            if (start is not JobStart.NewRequest fresh || !ReferenceEquals(fresh.Delivery, delivery)) actor.Tell(new AttachDelivery(delivery));
        // A resumed job cancelled before (or while it had no actor) is stopped again; a new one got its cancel in its start.
        if (start is JobStart.Resume && _state.CancelOf(id) is { } cancel) actor.Tell(new CancelRun(cancel.ToRequest()));
    }

    /// <summary>
    /// A cancel, decided by the ledger (<see cref="LedgerState.DecideCancel"/>): for a live job or one not arrived yet
    /// it is written first (a cancel taken is never lost, the daemon may stop right after), then handed to the job.
    /// The asker hears once it is durable, and only then acknowledges the message it came in.
    /// </summary>
    private void TakeCancel(CancelJob cancel)
    {
        var (request, replyTo) = (cancel.Request, Sender);
        var id = request.JobId;
        var decision = _state.DecideCancel(id);
        DaemonMetrics.Cancels.WithLabels(request.ByName, decision switch
        {
            CancelDecision.StopLive => "stop_live",
            CancelDecision.AwaitRequest => "await_request",
            CancelDecision.AlreadyFinished => "already_finished",
            _ => "already_taken",
        }).Inc();
        switch (decision)
        {
            case CancelDecision.AlreadyFinished:
                _log.Info("Job #{0}: a cancel by {1} came after the job finished ({2}); nothing changes", id, request.Who, _state.Retired[id].Status);
                replyTo.Tell(new CancelTaken(id, decision));
                return;
            case CancelDecision.AlreadyTaken:
                _log.Info("Job #{0}: a cancel by {1} came again; the first one stands", id, request.Who);
                replyTo.Tell(new CancelTaken(id, decision));
                return;
        }
        var record = new JobCancelRequested(id.Value, request.ByName, request.Reason, DateTimeOffset.UtcNow);
        _state.Apply(record);
        WriteAsync(record, () =>
        {
            if (decision == CancelDecision.StopLive)
            {
                _log.Info("Job #{0}: cancel by {1}{2}: its run is stopped", id, request.Who, request.Reason is { } r ? $" ({r})" : "");
                if (_jobs.TryGetValue(id, out var entry)) entry.Actor?.Tell(new CancelRun(request)); // else told when it is resumed
            }
            else
                _log.Info("Job #{0}: cancel by {1}{2} for a job not received yet: its request will end cancelled without running",
                    id, request.Who, request.Reason is { } r ? $" ({r})" : "");
            replyTo.Tell(new CancelTaken(id, decision));
        });
    }

    private void Retire(JobDone done)
    {
        var child = Sender;
        var t = done.Terminal;
        var retired = new JobRetired(done.JobId.Value, t.Status, t.Message, t.Seq, done.TaskId, done.RootTaskId, DateTimeOffset.UtcNow, done.Run);
        _state.Apply(retired);
        DaemonMetrics.JobsFinished.WithLabels(DaemonMetrics.StatusLabel(t.Status)).Inc();
        var held = Leave(done.JobId);
        WriteAsync(retired, () =>
        {
            // Durable and finished: a delivery still held is a copy of the request, which the job answered already.
            foreach (var delivery in held) _ = delivery.AckAsync();
            child.Tell(RetireJob.Instance);
        });
    }

    private void Abandon(JobNotFound notFound)
    {
        var child = Sender;
        var taskId = _state.Live.TryGetValue(notFound.JobId, out var live) ? live.TaskId : "";
        Persist(new JobAbandoned(notFound.JobId.Value, taskId, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            Context.Stop(child);
            // Nothing to resume: every delivery of the request, the first one included, goes back for a fresh start.
            foreach (var delivery in Leave(notFound.JobId)) _ = delivery.RejectAsync(requeue: true);
        });
    }

    /// <summary>The job no longer holds a slot and its actor stops on purpose; returns the deliveries still unsettled.</summary>
    private IReadOnlyList<IDelivery> Leave(JobId id)
    {
        if (!_jobs.Remove(id, out var entry)) return [];
        if (entry.Ended) _ended--;
        if (entry.Actor is { } actor)
        {
            Context.Unwatch(actor); // its stop is on purpose: no Terminated of it is handled from now on
            _jobOfActor.Remove(actor);
        }
        entry.Slot.Release();
        Timers.Cancel(("respawn", id));
        return entry.Unsettled();
    }

    /// <summary>A job's actor stopped without leaving (it threw, or a ledger write failed): it is resumed from its journal.</summary>
    private void OnTerminated(Terminated terminated)
    {
        if (!_jobOfActor.Remove(terminated.ActorRef, out var id) || !_jobs.TryGetValue(id, out var entry)) return;
        entry.Actor = null;
        var attempt = ++entry.Respawns;
        var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, attempt - 1)));
        _log.Error("Job #{0}: its actor stopped unexpectedly; resuming it from the ledger in {1} s", id, delay.TotalSeconds);
        Timers.StartSingleTimer(("respawn", id), new Respawn(id), delay);
    }

    /// <summary>Every <see cref="SnapshotEvery"/> records, at a moment when the state holds nothing unwritten.</summary>
    private void MaybeSnapshot()
    {
        if (_unwritten > 0 || LastSequenceNr - _snapshotAt < SnapshotEvery) return;
        _snapshotAt = LastSequenceNr;
        var snapshot = _state.ToSnapshot(DateTimeOffset.UtcNow, RetiredRetention, MaxRetiredKept);
        _state.Apply(snapshot); // drop from memory what the snapshot drops
        SaveSnapshot(snapshot);
    }

    /// <summary>A live job as the supervisor holds it: its slot, its current actor (none while it waits to be resumed), its deliveries.</summary>
    private sealed class LiveEntry(JobSlot slot, int run)
    {
        private readonly List<IDelivery> _deliveries = new();

        public JobSlot Slot { get; } = slot;
        public int Run { get; } = run;
        public IActorRef? Actor { get; set; }
        public int Respawns { get; set; }
        /// <summary>Terminal, and its slot given back already.</summary>
        public bool Ended { get; set; }

        public void Hold(IDelivery delivery)
        {
            _deliveries.RemoveAll(d => d.Settled.IsCompleted);
            _deliveries.Add(delivery);
        }

        public IReadOnlyList<IDelivery> Unsettled() => _deliveries.Where(d => !d.Settled.IsCompleted).ToList();
    }

    private sealed record Respawn(JobId JobId);
}
