using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Terminus.Actors.Amqp;
using Terminus.Actors.Execution;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Actors.Telemetry;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Core.Text;

namespace Terminus.Actors.Jobs;

/// <summary>
/// One run of a job, event-sourced: its journal (<see cref="PersistenceIds.Job"/>) is the job's ledger. What each
/// phase does and leads to is decided by <see cref="JobLifecycle"/>; this actor only writes those transitions before
/// acting on them, applies them, and dispatches each phase's step. Each status is written before it is published
/// (the journal is the status outbox: what the broker has not confirmed is sent again, with the same number). The
/// delivery is acknowledged as soon as the acceptance is written, so a job that runs for hours is never redelivered;
/// if the daemon stops or dies, the job resumes from its journal, re-attaching to its service instead of starting it
/// again.
/// </summary>
public sealed class JobActor : ReceivePersistentActor, IWithTimers
{
    private const string StepTimer = "step";

    private readonly JobId _id;
    private readonly JobStart _start;
    private readonly JobDependencies _deps;
    private readonly JobState _state = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobRequest? _request;
    private bool _resumed;
    private bool _doneSent;
    private bool _acceptanceWritten;
    private bool _admissionWritten;
    /// <summary>A cancel taken for this run: its step is being stopped, and whatever the step answers, the job ends cancelled.</summary>
    private CancelRequest? _cancel;
    private readonly PhaseClock _clock = new();
    /// <summary>When the phase the journal leaves the job in was entered (for the metrics of a resumed job).</summary>
    private DateTimeOffset _enteredAt;

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => PersistenceIds.Job(_id, _start.Run);

    /// <summary>A job's journal is short and never snapshotted: recovery skips the snapshot store (one query less per job).</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public JobActor(JobId id, JobStart start, JobDependencies deps)
    {
        _id = id;
        _start = start;
        _deps = deps;
        Recover<ILedgerRecord>(record =>
        {
            _state.Apply(record);
            _enteredAt = record switch { JobMoved m => m.At, JobAccepted a => a.At, _ => _enteredAt };
        });
        Recover<RecoveryCompleted>(_ => OnRecovered());
    }

    protected override void PostStop()
    {
        _clock.Hide();
        base.PostStop();
    }

    public static Props Props(JobId id, JobStart start, JobDependencies deps) =>
        Akka.Actor.Props.Create(() => new JobActor(id, start, deps));

    /// <summary>Akka.Persistence stops the job after this; its supervisor stops too, and resumes it once the ledger can be written.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.Parent.Tell(new LedgerWriteFailed(cause.GetBaseException().Message));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void OnRecovered()
    {
        if (_state.Accepted is null)
        {
            if (_start is JobStart.NewRequest fresh)
            {
                Accept(fresh);
                return;
            }
            _log.Warning("Job #{0}: admitted but its acceptance was never written (the daemon stopped in between); its request comes back from the broker", _id);
            Context.Parent.Tell(new JobNotFound(_id)); // the supervisor stops this actor once the ledger says so
            return;
        }

        _request = Bind(_state.Accepted);
        _clock.Show(_state.Phase, _enteredAt);
        if (_start is JobStart.NewRequest duplicate)
        {
            // Accepted by an earlier incarnation whose admission may not have been written: acknowledged once this one's is.
            _acceptanceWritten = true;
            Attach(duplicate.Delivery, ack: false);
            AckOnceDurable();
        }
        var afterCrash = _start is JobStart.Resume { AfterCrash: true };
        Persist(new JobResumed(afterCrash, DateTimeOffset.UtcNow), resumed =>
        {
            _state.Apply(resumed);
            _resumed = true;
            _log.Info("Job #{0}: resumed from the ledger in phase {1}{2}", _id, _state.Phase,
                afterCrash ? $" after a crash ({_state.CrashResumesWithoutProgress} in a row)" : "");
            Continue();
        });
    }

    /// <summary>
    /// A new request: its acceptance and the job's first moves (validation's verdict, and with it the first status) go
    /// to the ledger in one write. The delivery is acknowledged once that write and the supervisor's admission are
    /// both durable: either alone would leave the request with no one to resume it after a crash.
    /// </summary>
    private void Accept(JobStart.NewRequest fresh)
    {
        var task = fresh.Task;
        var accepted = new JobAccepted(_id.Value, task.Id, task.RootId ?? task.Id, LedgerJson.TaskToJson(task), DateTimeOffset.UtcNow, fresh.Poisoned,
            fresh.Run, fresh.SeqBase, RunToken: Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        Become(Active);
        Persist(accepted, e =>
        {
            _state.Apply(e);
            _clock.Show(JobPhase.Received, e.At);
            DaemonMetrics.JobsReceived.Inc();
            _request = fresh.Request;
            _acceptanceWritten = true;
            AckOnceDurable();
            _log.Info("Job #{0}: received (task {1}{2}, service={3}, data_path={4}, data_reference={5})", _id, Printable.Line(task.Id),
                fresh.Run > 1 ? $", run {fresh.Run}" : "", Raw(_request.ServiceName),
                $"{Raw(_request.CatAlias)}/{Raw(_request.ProjAlias)}/{Raw(_request.ExpAlias)}", Raw(_request.DataRef));
            if (fresh.Poisoned) KeepRequestForInspection();
        });
        if (fresh.Poisoned) Write(JobLifecycle.OnResume(JobPhase.Received, poisoned: true, 0));
        else if (fresh.Cancel is { } cancel)
        {
            _cancel = cancel;
            Write([Cancelled()]); // cancelled before it came: never validated, never run
        }
        else Validate(fresh.Request);
    }

    private void AckOnceDurable()
    {
        if (_acceptanceWritten && _admissionWritten && _start is JobStart.NewRequest fresh) _ = fresh.Delivery.AckAsync(); // the broker may forget it
    }

    private static JobRequest Bind(JobAccepted accepted) =>
        JobRequestBinder.Bind(LedgerJson.TaskFromJson(accepted.TaskJson)) is BoundJob bound
            ? bound.Request
            : throw new InvalidOperationException($"job {accepted.JobId}: the accepted task no longer binds");

    private static string Raw(System.Text.Json.JsonElement? value) =>
        value is { } v ? Printable.Line(v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString()! : v.GetRawText()) : "(missing)";

    /// <summary>Picks the job up where its ledger says it is.</summary>
    private void Continue()
    {
        foreach (var entry in _state.Undelivered) Report(entry);
        if (_state.IsTerminal)
        {
            BecomeFinishing();
            return;
        }
        Become(Active);
        if (_state.Accepted!.Poisoned) KeepRequestForInspection();
        Write(JobLifecycle.OnResume(_state.Phase, _state.Accepted.Poisoned, _state.CrashResumesWithoutProgress));
    }

    /// <summary>While the job is not terminal: the replies of the step in progress and its deadline.</summary>
    private void Active()
    {
        Common();
        // Written while the job runs, so that a restart does not send its earlier statuses again.
        Command<StatusConfirmed>(c =>
        {
            if (c.Sequence <= _state.DeliveredUpTo) return;
            Persist(new StatusDelivered(c.Sequence), e =>
            {
                _state.Apply(e);
                CheckDone();
            });
        });
        Command<CancelRun>(c => Cancel(c.Request));
        Command<StepStarted>(s =>
        {
            if (_cancel is not null) return; // being stopped: it never shows as running
            if (JobLifecycle.OnStarted(_state.Phase, s.Kind) is { } started) Write([started], continuing: s.Kind);
            else if (JobLifecycle.Rule(_state.Phase) is { Step: { } step, Deadline: var deadline } && step == s.Kind && JobTimeouts.CountsFromStart(deadline)
                     && (s.Limit ?? _deps.Timeouts.Of(deadline, _state.Spec)) is { } limit)
                Timers.StartSingleTimer(StepTimer, StepTimedOut.Instance, limit);
        });
        Command<StepLaunched>(l => Persist(new RunnerLaunched(l.Pid, l.StartTicks, l.Cgroup, DateTimeOffset.UtcNow), e => _state.Apply(e)));
        Command<StepSubmitted>(s => PersistAsync(new SlurmJobSubmitted(s.SlurmJobId, DateTimeOffset.UtcNow), _ => { }));
        Command<StepSucceeded>(s =>
        {
            if (_cancel is not null) EndCancelled(s.Kind);
            else if (JobLifecycle.OnSucceeded(_state.Phase, s.Kind, _state.TestMode) is { Count: > 0 } moves) Write(moves);
        });
        Command<StepFailed>(f =>
        {
            if (_cancel is not null) EndCancelled(f.Kind);
            else if (JobLifecycle.OnFailed(_state.Phase, f.Kind, f.StatusText, f.Detail, f.TimedOut) is { } failed) Write([failed]);
        });
        Command<StepTimedOut>(_ =>
        {
            if (_cancel is null) StopForDeadline(); // else its step is being stopped already
        });
        Command<StopUnanswered>(_ =>
        {
            _log.Warning("Job #{0}: its step did not answer within {1:0} s of being stopped", _id, _deps.Timeouts.StopGrace.TotalSeconds);
            if (_cancel is not null) Write([Cancelled()]);
            else if (JobLifecycle.OnDeadline(_state.Phase) is { } expired) Write([expired]);
        });
    }

    /// <summary>
    /// A cancel: a phase whose step is at work has it stopped through the same path as a deadline (the whole process
    /// tree, <c>scancel</c>, the tar or the rsync), and the job ends once the step answered; any other ends at once.
    /// Either way exactly one terminal status: whatever the step answers now, the job ends cancelled.
    /// </summary>
    private void Cancel(CancelRequest cancel)
    {
        if (_cancel is not null) return;
        _cancel = cancel;
        var end = Cancelled();
        if (JobLifecycle.Rule(_state.Phase).Step is { } step && step != StepKind.Validate)
        {
            _log.Info("Job #{0}: cancelled by {1} in phase {2}; stopping its {3} step", _id, cancel.Who, _state.Phase, step.ToString().ToLowerInvariant());
            Timers.StartSingleTimer(StepTimer, StopUnanswered.Instance, _deps.Timeouts.StopGrace);
            _deps.StepPool(step).Tell(new StopStep(_id, step, end.StatusText!, end.Detail, TimedOut: false));
        }
        else Write([end]);
    }

    /// <summary>The step of a cancelled job answered (stopped, or done just before): the job ends cancelled.</summary>
    private void EndCancelled(StepKind answered)
    {
        if (JobLifecycle.Rule(_state.Phase).Step == answered) Write([Cancelled()]);
    }

    private Transition Cancelled() =>
        new(JobPhase.Failed, StatusTexts.Cancelled(_cancel!), $"cancelled by {_cancel!.Who} in phase {_state.Phase}");

    /// <summary>
    /// The phase's deadline passed: its step is stopped first (processes killed, worker freed), and the job ends with
    /// the step's answer; only a step that does not answer even then ends the job without it.
    /// </summary>
    private void StopForDeadline()
    {
        var rule = JobLifecycle.Rule(_state.Phase);
        if (rule.OnDeadline is not { } expired) return;
        if (rule.Step is not { } step || step == StepKind.Validate)
        {
            Write([expired]);
            return;
        }
        _log.Warning("Job #{0}: {1}; stopping its {2} step", _id, expired.Detail, step.ToString().ToLowerInvariant());
        Timers.StartSingleTimer(StepTimer, StopUnanswered.Instance, _deps.Timeouts.StopGrace);
        _deps.StepPool(step).Tell(new StopStep(_id, step, expired.StatusText!, expired.Detail, expired.To == JobPhase.TimedOut));
    }

    /// <summary>
    /// Terminal: waits until the broker confirmed every status and the job directory is dealt with. What is learnt
    /// now is not written: the supervisor's retirement of the job is the durable fact it leads to, and a daemon that
    /// stops before it only sends a copy of a status again, or finds the directory already dealt with.
    /// </summary>
    private void Finishing()
    {
        Command<StatusConfirmed>(c =>
        {
            if (c.Sequence <= _state.DeliveredUpTo) return;
            _state.Apply(new StatusDelivered(c.Sequence));
            CheckDone();
        });
        Command<DirRetired>(r =>
        {
            _state.Apply(new JobDirRetired(r.What, DateTimeOffset.UtcNow));
            CheckDone();
        });
        Common();
        Command<RetireJob>(_ => DeleteMessages(LastSequenceNr));
        Command<DeleteMessagesSuccess>(_ => Context.Stop(Self));
        Command<DeleteMessagesFailure>(f =>
        {
            _log.Warning("Job #{0}: retired, but its journal could not be trimmed: {1}", _id, f.Cause.Message);
            Context.Stop(Self);
        });
        Command<CancelRun>(c => _log.Info("Job #{0}: a cancel by {1} came after the job ended ({2}); nothing to stop", _id, c.Request.Who,
            _state.Latest?.Status ?? "no status"));
        Command<StepStarted>(_ => { });
        Command<StepSucceeded>(_ => { });
        Command<StepFailed>(_ => { });
        Command<StepLaunched>(_ => { });
        Command<StepSubmitted>(_ => { });
        Command<StepTimedOut>(_ => { });
        Command<StopUnanswered>(_ => { });
    }

    private void Common()
    {
        Command<AttachDelivery>(a => Attach(a.Delivery));
        Command<AdmissionWritten>(_ =>
        {
            _admissionWritten = true;
            AckOnceDurable();
        });
    }

    /// <summary>Another delivery of this job: the job is already durable, so it is acknowledged at once, never run again.</summary>
    private void Attach(IDelivery delivery, bool ack = true)
    {
        if (ack) _ = delivery.AckAsync();
        _log.Info("Job #{0}: the request came again (redelivered={1}); it joins the job, which is not run again", _id, delivery.Redelivered);
        // The portal may have missed the latest status: send it again, with its number, so a copy is recognisable.
        if (_state.Latest is { } latest && latest.Seq <= _state.DeliveredUpTo) Report(latest);
    }

    /// <summary>
    /// Writes the transitions in one batch (each with the status it queues, reported once written; the validated
    /// <paramref name="spec"/> goes with the first), then dispatches the phase the job is left in. An illegal move is
    /// logged and ends the batch, and nothing is dispatched. <paramref name="continuing"/>: the step still at work (a
    /// run that just started), which only gets the new phase's deadline.
    /// </summary>
    private void Write(IReadOnlyList<Transition> moves, StepKind? continuing = null, JobSpec? spec = null)
    {
        var phase = _state.Phase;
        var batch = new List<(Transition Move, JobMoved Event)>();
        foreach (var move in moves)
        {
            if (!JobLifecycle.CanMove(phase, move.To))
            {
                _log.Error("Job #{0}: illegal transition {1} -> {2} ignored", _id, phase, move.To);
                break;
            }
            var status = move.StatusText is null ? null : JobLifecycle.WireStatus(move.To);
            batch.Add((move, new JobMoved(move.To, status, status is null ? null : move.StatusText, move.Detail.Length > 0 ? move.Detail : null,
                spec is null || batch.Count > 0 ? null : LedgerJson.SpecToJson(spec), DateTimeOffset.UtcNow)));
            phase = move.To;
        }
        if (batch.Count == 0)
        {
            if (moves.Count == 0) Dispatch(continuing);
            return;
        }
        var complete = batch.Count == moves.Count;
        var written = 0;
        PersistAll(batch.Select(b => b.Event), e =>
        {
            var move = batch[written++].Move;
            _state.Apply(e);
            _clock.Move(e.To, e.At);
            if (e.Status is not null) Report(_state.Latest!);
            if (_state.IsTerminal) LogEnd(move);
            if (written == batch.Count && complete) Dispatch(continuing);
        });
    }

    /// <summary>
    /// Starts what the current phase does, bounded by its deadline (from now, or from the step's start when it waits
    /// for a worker first); a terminal phase finishes the job.
    /// </summary>
    private void Dispatch(StepKind? continuing)
    {
        Timers.Cancel(StepTimer);
        if (_state.IsTerminal)
        {
            BecomeFinishing();
            return;
        }
        if (_cancel is not null)
        {
            Write([Cancelled()]); // a cancelled job starts no further step
            return;
        }
        var rule = JobLifecycle.Rule(_state.Phase);
        if (!JobTimeouts.CountsFromStart(rule.Deadline) && _deps.Timeouts.Of(rule.Deadline, _state.Spec) is { } limit)
            Timers.StartSingleTimer(StepTimer, StepTimedOut.Instance, limit);
        if (rule.Step is not { } step || step == continuing) return;
        if (step == StepKind.Validate) Validate(_request!);
        else _deps.StepPool(step).Tell(new RunStep(step, _state.Spec!, Resume: _resumed && step == StepKind.Run, Runner: _state.Runner));
    }

    private void Validate(JobRequest request)
    {
        switch (_deps.Validator.Validate(request))
        {
            case InvalidJob invalid:
                Write([JobLifecycle.OnFailed(JobPhase.Received, StepKind.Validate, invalid.StatusText, invalid.Detail)!]);
                break;
            case ValidJob valid:
                Write(JobLifecycle.OnSucceeded(JobPhase.Received, StepKind.Validate, valid.Spec.TestMode), spec: valid.Spec);
                break;
        }
    }

    /// <summary>The job's end in the log, on one line (texts may quote a service's output): a failure as a warning, with its detail.</summary>
    private void LogEnd(Transition end)
    {
        var last = _state.Latest!;
        var detail = end.Detail.Length > 0 ? $" ({Printable.Line(end.Detail, 1000)})" : "";
        if (end.To is JobPhase.Failed or JobPhase.TimedOut) _log.Warning("Job #{0}: {1}: {2}{3}", _id, last.Status, Printable.Line(last.Message, 1000), detail);
        else _log.Info("Job #{0}: {1}: {2}{3}", _id, last.Status, Printable.Line(last.Message, 1000), detail);
    }

    private void BecomeFinishing()
    {
        Become(Finishing);
        Context.Parent.Tell(new JobEnded(_id));
        if (!_state.DirRetired && _state.Spec is not null) RetireJobDirectory();
        CheckDone();
    }

    /// <summary>As 0.7: a job that ran leaves its directory deleted (uploaded, or a test run) or moved to <c>__failed/</c>.</summary>
    private void RetireJobDirectory()
    {
        var paths = JobPaths.For(_deps.JobRoot, _state.Spec!);
        var fate = JobDirFates.FateOf(_state.Phase, _state.TestMode);
        var (id, log) = (_id, _log);
        Task.Run(() =>
        {
            try
            {
                var done = JobDirectories.Retire(paths, fate);
                if (done is not null) log.Info("Job #{0}: {1}", id, done);
                return new DirRetired(done ?? "nothing to do");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Warning("Job #{0}: could not clean up {1}: {2}", id, paths.JobDir, e.Message);
                return new DirRetired($"cleanup failed: {e.Message}");
            }
        }).PipeTo(Self);
    }

    private void CheckDone()
    {
        if (_doneSent || !_state.IsTerminal || !_state.AllDelivered || (!_state.DirRetired && _state.Spec is not null)) return;
        _doneSent = true;
        Context.Parent.Tell(new JobDone(_id, _state.Latest!, _state.Accepted!.TaskId, _state.Accepted.RootTaskId, _state.Accepted.Run));
    }

    private void Report(OutboxEntry entry) =>
        _deps.Reporter.Tell(new ReportStatus(_id, entry.Seq, entry.Status, entry.Message,
            JobLifecycle.IsTerminalStatus(entry.Status, _state.TestMode), _state.Accepted!.TaskId, _state.Accepted.RootTaskId, _state.Accepted.Run));

    /// <summary>A poisoned request has no job directory: its raw request goes to <c>__failed/</c> for the operator.</summary>
    private void KeepRequestForInspection()
    {
        var path = Path.Combine(_deps.JobRoot, JobPaths.FailedDirName, $"{_id}.request.json");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, _state.Accepted!.TaskJson);
            _log.Warning("Job #{0}: request kept in {1}", _id, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Job #{0}: could not keep the request in {1}: {2}", _id, path, e.Message);
        }
    }

    private sealed record DirRetired(string What);

    private sealed class StepTimedOut : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly StepTimedOut Instance = new();
        private StepTimedOut() { }
    }

    private sealed class StopUnanswered : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly StopUnanswered Instance = new();
        private StopUnanswered() { }
    }
}
