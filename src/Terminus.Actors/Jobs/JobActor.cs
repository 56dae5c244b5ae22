using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Terminus.Actors.Amqp;
using Terminus.Actors.Execution;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;

namespace Terminus.Actors.Jobs;

/// <summary>
/// One job, event-sourced: its journal (<c>job-&lt;id&gt;</c>) is the job's ledger. Acceptance and every transition are
/// written before they are acted on, and each status is written before it is published (the journal is the status
/// outbox: what the broker has not confirmed is sent again, with the same number). The delivery is acknowledged as
/// soon as the acceptance is written, so a job that runs for hours is never redelivered; if the daemon stops or
/// dies, the job resumes from its journal, re-attaching to its service instead of starting it again.
/// </summary>
public sealed class JobActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>Incarnations in a row that died with the daemon, without progress, after which the job is given up.</summary>
    public const int MaxCrashResumes = 3;
    private const string StepTimer = "step";

    private readonly JobId _id;
    private readonly JobStart _start;
    private readonly JobDependencies _deps;
    private readonly JobState _state = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobRequest? _request;
    private bool _resumed;
    private bool _doneSent;

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => PersistenceIdOf(_id);

    /// <summary>The journal of a job in the ledger (<see cref="Ledger.LedgerReader"/> reads it too).</summary>
    public static string PersistenceIdOf(JobId id) => $"job-{id}";

    public JobActor(JobId id, JobStart start, JobDependencies deps)
    {
        _id = id;
        _start = start;
        _deps = deps;
        Recover<ILedgerRecord>(record => _state.Apply(record));
        Recover<RecoveryCompleted>(_ => OnRecovered());
    }

    public static Props Props(JobId id, JobStart start, JobDependencies deps) =>
        Akka.Actor.Props.Create(() => new JobActor(id, start, deps));

    private bool TestMode => _state.TestMode;

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
        if (_start is JobStart.NewRequest duplicate) Attach(duplicate.Delivery);
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

    private void Accept(JobStart.NewRequest fresh)
    {
        var task = fresh.Task;
        var accepted = new JobAccepted(_id.Value, task.Id, task.RootId ?? task.Id, LedgerJson.TaskToJson(task), DateTimeOffset.UtcNow, fresh.Poisoned);
        Persist(accepted, e =>
        {
            _state.Apply(e);
            _request = fresh.Request;
            _ = fresh.Delivery.AckAsync(); // durably accepted: the broker may forget it
            _log.Info("Job #{0}: received (task {1}, service={2}, data_path={3}, data_reference={4})", _id, task.Id,
                Raw(_request.ServiceName), $"{Raw(_request.CatAlias)}/{Raw(_request.ProjAlias)}/{Raw(_request.ExpAlias)}", Raw(_request.DataRef));
            Continue();
        });
    }

    private static JobRequest Bind(JobAccepted accepted) =>
        JobRequestBinder.Bind(LedgerJson.TaskFromJson(accepted.TaskJson)) is BoundJob bound
            ? bound.Request
            : throw new InvalidOperationException($"job {accepted.JobId}: the accepted task no longer binds");

    private static string Raw(System.Text.Json.JsonElement? value) =>
        value is { } v ? PathRules.Printable(v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString()! : v.GetRawText()) : "(missing)";

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
        if (_state.Accepted!.Poisoned)
        {
            KeepRequestForInspection();
            Finish(JobPhase.Failed, StatusTexts.StoppedWithError(
                $"Terminus stopped {MaxCrashResumes} times while taking this request; it was refused and kept for inspection"),
                "the request's earlier admissions were lost to daemon crashes");
            return;
        }
        if (_state.CrashResumesWithoutProgress >= MaxCrashResumes)
        {
            Finish(JobPhase.Failed, StatusTexts.StoppedWithError(
                $"Terminus stopped {MaxCrashResumes} times while handling this job; it was not run again and is kept for inspection"),
                $"{MaxCrashResumes} incarnations in a row died without progress in phase {_state.Phase}");
            return;
        }
        switch (_state.Phase)
        {
            case JobPhase.Received:
                Validate();
                break;
            case JobPhase.Pending or JobPhase.Running:
                StartStep(StepKind.Run);
                break;
            case JobPhase.Succeeded:
                StartPackaging();
                break;
            case JobPhase.Packaging:
                StartStep(StepKind.Package);
                break;
            case JobPhase.Uploading:
                StartStep(StepKind.Upload);
                break;
        }
    }

    private void Validate()
    {
        switch (_deps.Validator.Validate(_request!))
        {
            case InvalidJob invalid:
                _log.Warning("Job #{0}: refused: {1}{2}", _id, invalid.StatusText, invalid.Detail.Length > 0 ? $" ({invalid.Detail})" : "");
                Finish(JobPhase.Failed, invalid.StatusText);
                break;
            case ValidJob valid:
                Move(JobPhase.Pending, StatusTexts.Submitted, spec: valid.Spec, then: () => StartStep(StepKind.Run));
                break;
        }
    }

    private TimeSpan RunLimit() => TimeSpan.FromMinutes(_state.Spec!.Service.TimeoutMinutes) + _deps.Timeouts.RunGrace;

    /// <summary>Running, packaging or uploading: replies of the step in progress.</summary>
    private void Active()
    {
        Common();
        Command<StepStarted>(s =>
        {
            if (s.Kind != StepKind.Run || _state.Phase != JobPhase.Pending) return;
            Timers.StartSingleTimer(StepTimer, StepTimedOut.Instance, RunLimit()); // the time limit counts from now
            Move(JobPhase.Running, StatusTexts.Running);
        });
        Command<StepSucceeded>(s =>
        {
            switch (s.Kind, _state.Phase)
            {
                case (StepKind.Run, JobPhase.Pending):
                    Move(JobPhase.Running, StatusTexts.Running, then: RunSucceeded); // started and finished at once
                    break;
                case (StepKind.Run, JobPhase.Running):
                    RunSucceeded();
                    break;
                case (StepKind.Package, JobPhase.Packaging):
                    Move(JobPhase.Uploading, null, then: () => StartStep(StepKind.Upload));
                    break;
                case (StepKind.Upload, JobPhase.Uploading):
                    Finish(JobPhase.Uploaded, StatusTexts.Uploaded);
                    break;
            }
        });
        Command<StepFailed>(f =>
        {
            if (!IsCurrent(f.Kind)) return;
            var terminal = f.Kind == StepKind.Run && f.TimedOut ? JobPhase.TimedOut : JobPhase.Failed;
            Finish(terminal, f.StatusText, f.Detail);
        });
        Command<StepTimedOut>(_ =>
        {
            switch (_state.Phase)
            {
                case JobPhase.Pending or JobPhase.Running:
                    Finish(JobPhase.TimedOut, StatusTexts.TimedOut, "no answer from the runner within the service's time limit");
                    break;
                case JobPhase.Packaging:
                    Finish(JobPhase.Failed, StatusTexts.TarballError, "packaging did not finish in time");
                    break;
                case JobPhase.Uploading:
                    Finish(JobPhase.Failed, StatusTexts.UploadError, "the upload did not finish in time");
                    break;
            }
        });
    }

    private bool IsCurrent(StepKind kind) => (kind, _state.Phase) is (StepKind.Run, JobPhase.Pending or JobPhase.Running)
        or (StepKind.Package, JobPhase.Packaging) or (StepKind.Upload, JobPhase.Uploading);

    private void RunSucceeded()
    {
        if (TestMode)
        {
            Finish(JobPhase.Succeeded, StatusTexts.Completed);
            return;
        }
        Move(JobPhase.Succeeded, StatusTexts.Completed, then: StartPackaging);
    }

    private void StartPackaging() => Move(JobPhase.Packaging, null, then: () => StartStep(StepKind.Package));

    /// <summary>Terminal: waits until the broker confirmed every status and the job directory is dealt with.</summary>
    private void Finishing()
    {
        Common();
        Command<DirRetired>(r => Persist(new JobDirRetired(r.What, DateTimeOffset.UtcNow), e =>
        {
            _state.Apply(e);
            CheckDone();
        }));
        Command<RetireJob>(_ => DeleteMessages(LastSequenceNr));
        Command<DeleteMessagesSuccess>(_ => Context.Stop(Self));
        Command<DeleteMessagesFailure>(f =>
        {
            _log.Warning("Job #{0}: retired, but its journal could not be trimmed: {1}", _id, f.Cause.Message);
            Context.Stop(Self);
        });
        Command<StepStarted>(_ => { });
        Command<StepSucceeded>(_ => { });
        Command<StepFailed>(_ => { });
        Command<StepTimedOut>(_ => { });
    }

    private void Common()
    {
        Command<AttachDelivery>(a => Attach(a.Delivery));
        Command<StatusConfirmed>(c =>
        {
            if (c.Sequence <= _state.DeliveredUpTo) return;
            Persist(new StatusDelivered(c.Sequence), e =>
            {
                _state.Apply(e);
                CheckDone();
            });
        });
    }

    /// <summary>Another delivery of this job: the job is already durable, so it is acknowledged at once, never run again.</summary>
    private void Attach(IDelivery delivery)
    {
        _ = delivery.AckAsync();
        _log.Info("Job #{0}: the request came again (redelivered={1}); it joins the job, which is not run again", _id, delivery.Redelivered);
        // The portal may have missed the latest status: send it again, with its number, so a copy is recognisable.
        if (_state.Latest is { } latest && latest.Seq <= _state.DeliveredUpTo) Report(latest);
    }

    /// <summary>
    /// Hands the step to its pool, with a safety timer: a run not yet started gets <c>RunStart</c>, one already
    /// running (resumed) its time limit; packaging and upload their own bounds.
    /// </summary>
    private void StartStep(StepKind kind)
    {
        var (pool, limit) = kind switch
        {
            StepKind.Run => (_deps.Runner, _state.Phase == JobPhase.Running ? RunLimit() : _deps.Timeouts.RunStart),
            StepKind.Package => (_deps.Packager, _deps.Timeouts.Package),
            StepKind.Upload => (_deps.Uploader, _deps.Timeouts.Upload),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        pool.Tell(new RunStep(kind, _state.Spec!, Resume: _resumed && kind == StepKind.Run));
        Timers.StartSingleTimer(StepTimer, StepTimedOut.Instance, limit);
    }

    /// <summary>Writes the transition (and the status it queues), then acts on it.</summary>
    private void Move(JobPhase next, string? statusText, string detail = "", JobSpec? spec = null, Action? then = null)
    {
        if (!JobLifecycle.CanMove(_state.Phase, next))
        {
            _log.Error("Job #{0}: illegal transition {1} -> {2} ignored", _id, _state.Phase, next);
            return;
        }
        var status = statusText is null ? null : JobLifecycle.WireStatus(next);
        var moved = new JobMoved(next, status, status is null ? null : statusText, detail.Length > 0 ? detail : null,
            spec is null ? null : LedgerJson.SpecToJson(spec), DateTimeOffset.UtcNow);
        Persist(moved, e =>
        {
            _state.Apply(e);
            if (status is not null) Report(_state.Latest!);
            then?.Invoke();
        });
    }

    private void Finish(JobPhase terminal, string message, string detail = "")
    {
        Timers.Cancel(StepTimer);
        var status = JobLifecycle.WireStatus(terminal)!;
        if (detail.Length > 0) _log.Warning("Job #{0}: {1}: {2} ({3})", _id, status, message, detail);
        else _log.Info("Job #{0}: {1}: {2}", _id, status, message);
        Move(terminal, message, detail, then: BecomeFinishing);
    }

    private void BecomeFinishing()
    {
        Become(Finishing);
        if (!_state.DirRetired && _state.Spec is not null) RetireJobDirectory();
        CheckDone();
    }

    /// <summary>As 0.7: a job that ran leaves its directory deleted (uploaded, or a test run) or moved to <c>__failed/</c>.</summary>
    private void RetireJobDirectory()
    {
        var paths = JobPaths.For(_deps.JobRoot, _state.Spec!);
        var fate = JobDirectories.FateOf(_state.Phase, TestMode);
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
        Context.Parent.Tell(new JobDone(_id, _state.Latest!, _state.Accepted!.TaskId, _state.Accepted.RootTaskId));
    }

    private void Report(OutboxEntry entry) =>
        _deps.Reporter.Tell(new ReportStatus(_id, entry.Seq, entry.Status, entry.Message,
            JobLifecycle.IsTerminalStatus(entry.Status, TestMode), _state.Accepted!.TaskId, _state.Accepted.RootTaskId));

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
}
