using Akka.Actor;
using Akka.Event;
using Terminus.Actors.Amqp;
using Terminus.Actors.Execution;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Jobs;

/// <summary>
/// One job, as a finite-state machine over <see cref="JobPhase"/>: validate, then run, package and upload
/// through the step pools, reporting each status. Every path ends in exactly one terminal status; the job's
/// deliveries are acked only after the broker confirmed that status.
/// </summary>
public sealed class JobActor : ReceiveActor, IWithTimers
{
    private const string StepTimer = "step";
    private readonly JobRequest _request;
    private readonly JobDependencies _deps;
    private readonly List<IDelivery> _deliveries;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobSpec? _spec;
    private JobPhase _phase = JobPhase.Received;
    private (string Status, string Message)? _terminal;

    public ITimerScheduler Timers { get; set; } = null!;

    public JobActor(JobRequest request, IDelivery delivery, JobDependencies deps)
    {
        _request = request;
        _deliveries = [delivery];
        _deps = deps;
    }

    public static Props Props(JobRequest request, IDelivery delivery, JobDependencies deps) =>
        Akka.Actor.Props.Create(() => new JobActor(request, delivery, deps));

    private JobId Id => _request.JobId;
    private bool TestMode => _spec?.TestMode ?? false;

    protected override void PreStart()
    {
        _log.Info("Job #{0}: received (task {1}, service={2}, data_path={3}, data_reference={4})", Id, _request.TaskId,
            Raw(_request.ServiceName), $"{Raw(_request.CatAlias)}/{Raw(_request.ProjAlias)}/{Raw(_request.ExpAlias)}", Raw(_request.DataRef));
        switch (_deps.Validator.Validate(_request))
        {
            case InvalidJob invalid:
                _log.Warning("Job #{0}: refused: {1}{2}", Id, invalid.StatusText, invalid.Detail.Length > 0 ? $" ({invalid.Detail})" : "");
                Finish(JobPhase.Failed, invalid.StatusText);
                break;
            case ValidJob valid:
                _spec = valid.Spec;
                MoveTo(JobPhase.Pending, StatusTexts.Submitted);
                StartStep(StepKind.Run, _deps.Runner, TimeSpan.FromMinutes(_spec.Service.TimeoutMinutes) + _deps.Timeouts.RunGrace);
                Become(Pending);
                break;
        }
    }

    private static string Raw(System.Text.Json.JsonElement? value) =>
        value is { } v ? PathRules.Printable(v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString()! : v.GetRawText()) : "(missing)";

    private void Pending()
    {
        Common();
        Receive<StepStarted>(s => s.Kind == StepKind.Run, _ =>
        {
            MoveTo(JobPhase.Running, StatusTexts.Running);
            Become(Running);
        });
        RunOutcomes();
    }

    private void Running()
    {
        Common();
        RunOutcomes();
    }

    private void RunOutcomes()
    {
        Receive<StepSucceeded>(s => s.Kind == StepKind.Run, _ =>
        {
            if (_phase == JobPhase.Pending) MoveTo(JobPhase.Running, StatusTexts.Running); // started and finished at once
            if (TestMode) { Finish(JobPhase.Succeeded, StatusTexts.Completed); return; }
            MoveTo(JobPhase.Succeeded, StatusTexts.Completed);
            MoveTo(JobPhase.Packaging, null);
            StartStep(StepKind.Package, _deps.Packager, _deps.Timeouts.Package);
            Become(Packaging);
        });
        Receive<StepFailed>(f => f.Kind == StepKind.Run, f =>
            Finish(f.TimedOut ? JobPhase.TimedOut : JobPhase.Failed, f.StatusText, f.Detail));
        Receive<StepTimedOut>(_ => Finish(JobPhase.TimedOut, StatusTexts.TimedOut, "no answer from the runner within the service's time limit"));
    }

    private void Packaging()
    {
        Common();
        Receive<StepSucceeded>(s => s.Kind == StepKind.Package, _ =>
        {
            MoveTo(JobPhase.Uploading, null);
            StartStep(StepKind.Upload, _deps.Uploader, _deps.Timeouts.Upload);
            Become(Uploading);
        });
        Receive<StepFailed>(f => f.Kind == StepKind.Package, f => Finish(JobPhase.Failed, f.StatusText, f.Detail));
        Receive<StepTimedOut>(_ => Finish(JobPhase.Failed, StatusTexts.TarballError, "packaging did not finish in time"));
    }

    private void Uploading()
    {
        Common();
        Receive<StepSucceeded>(s => s.Kind == StepKind.Upload, _ => Finish(JobPhase.Uploaded, StatusTexts.Uploaded));
        Receive<StepFailed>(f => f.Kind == StepKind.Upload, f => Finish(JobPhase.Failed, f.StatusText, f.Detail));
        Receive<StepTimedOut>(_ => Finish(JobPhase.Failed, StatusTexts.UploadError, "the upload did not finish in time"));
    }

    /// <summary>Waiting for the broker to confirm the terminal status.</summary>
    private void Finishing()
    {
        Receive<AttachDelivery>(a => _deliveries.Add(a.Delivery));
        Receive<StatusConfirmed>(c => _terminal is { } t && c.Status == t.Status && JobLifecycle.IsTerminalStatus(c.Status, TestMode), confirmed =>
        {
            foreach (var delivery in _deliveries) _ = delivery.AckAsync();
            Context.Parent.Tell(new JobFinished(Id, _terminal!.Value.Status, _terminal.Value.Message));
            Become(Finished);
        });
        ReceiveAny(_ => { }); // late step replies: the job is decided
    }

    /// <summary>Retired: anything still addressed to the job is settled at once.</summary>
    private void Finished()
    {
        Receive<AttachDelivery>(a => _ = a.Delivery.AckAsync());
        ReceiveAny(_ => { });
    }

    private void Common()
    {
        Receive<AttachDelivery>(a =>
        {
            _deliveries.Add(a.Delivery);
            _log.Info("Job #{0}: another delivery of the same request (redelivered={1}) joined the running job", Id, a.Delivery.Redelivered);
        });
        Receive<StatusConfirmed>(_ => { });
    }

    private void StartStep(StepKind kind, IActorRef pool, TimeSpan limit)
    {
        pool.Tell(new RunStep(kind, _spec!));
        Timers.StartSingleTimer(StepTimer, StepTimedOut.Instance, limit);
    }

    private void MoveTo(JobPhase next, string? message)
    {
        if (!JobLifecycle.CanMove(_phase, next))
        {
            _log.Error("Job #{0}: illegal transition {1} -> {2} ignored", Id, _phase, next);
            return;
        }
        _phase = next;
        if (message is not null && JobLifecycle.WireStatus(next) is { } status)
            _deps.Reporter.Tell(new ReportStatus(Id, status, message, Terminal: false, _request.TaskId, _request.RootTaskId));
    }

    private void Finish(JobPhase terminal, string message, string detail = "")
    {
        Timers.Cancel(StepTimer);
        if (!JobLifecycle.CanMove(_phase, terminal))
            _log.Error("Job #{0}: terminal transition {1} -> {2} is not in the lifecycle", Id, _phase, terminal);
        _phase = terminal;
        var status = JobLifecycle.WireStatus(terminal)!;
        _terminal = (status, message);
        if (detail.Length > 0) _log.Warning("Job #{0}: {1}: {2} ({3})", Id, status, message, detail);
        else _log.Info("Job #{0}: {1}: {2}", Id, status, message);
        _deps.Reporter.Tell(new ReportStatus(Id, status, message, Terminal: true, _request.TaskId, _request.RootTaskId));
        RetireJobDirectory(terminal);
        Become(Finishing);
    }

    /// <summary>As 0.7: a job that ran leaves its directory deleted (uploaded, or a test run) or moved to <c>__failed/</c>.</summary>
    private void RetireJobDirectory(JobPhase terminal)
    {
        if (_spec is null) return; // refused before anything was created
        var paths = JobPaths.For(_deps.JobRoot, _spec);
        var fate = JobDirectories.FateOf(terminal, TestMode);
        var id = Id;
        var log = _log;
        _ = Task.Run(() =>
        {
            try { if (JobDirectories.Retire(paths, fate) is { } done) log.Info("Job #{0}: {1}", id, done); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            { log.Warning("Job #{0}: could not clean up {1}: {2}", id, paths.JobDir, e.Message); }
        });
    }

    private sealed class StepTimedOut : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly StepTimedOut Instance = new();
        private StepTimedOut() { }
    }
}
