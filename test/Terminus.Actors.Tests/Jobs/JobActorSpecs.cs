using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Jobs;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Jobs;

/// <summary>The JobActor with probes for its steps and reporter, on a journal that outlives each incarnation.</summary>
public sealed class JobActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static string NewStore() => $"job-actor-{Guid.NewGuid():N}";
    private readonly TestTree _tree = new();
    private readonly TestProbe _reporter, _runner, _packager, _uploader;
    private readonly string _store;

    public JobActorSpecs(ITestOutputHelper output) : this(NewStore(), output) { }

    private JobActorSpecs(string store, ITestOutputHelper output) : base(TestConfigs.VirtualTimeWithLedger(store), output: output)
    {
        _store = store;
        _reporter = CreateTestProbe("reporter");
        _runner = CreateTestProbe("runner");
        _packager = CreateTestProbe("packager");
        _uploader = CreateTestProbe("uploader");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _tree.Dispose();
    }

    private JobDependencies Deps => new(_tree.Validator(), _reporter, _runner, _packager, _uploader, JobTimeouts.Default, _tree.JobRoot);

    /// <param name="admissionWritten">Play the supervisor whose admission of the request is written.</param>
    private IActorRef Start(FakeDelivery delivery, bool poisoned = false, int run = 1, long seqBase = 0, bool admissionWritten = true)
    {
        var task = ((DecodedTask)CeleryDecoder.Decode(delivery.Message)).Task;
        var request = ((BoundJob)JobRequestBinder.Bind(task)).Request;
        var job = ChildActorOf(JobActor.Props(request.JobId, new JobStart.NewRequest(task, request, delivery, poisoned, run, seqBase), Deps));
        if (admissionWritten) job.Tell(AdmissionWritten.Instance);
        return job;
    }

    private IActorRef Resume(long id, bool afterCrash) => ChildActorOf(JobActor.Props(new JobId(id), new JobStart.Resume(afterCrash), Deps));

    private async Task<ReportStatus> ExpectStatus(string status, string? message = null, long? seq = null)
    {
        var report = await _reporter.ExpectMsgAsync<ReportStatus>();
        Assert.Equal(status, report.Status);
        if (message is not null) Assert.Equal(message, report.Message);
        if (seq is not null) Assert.Equal(seq, report.Seq);
        return report;
    }

    private Task AwaitJournal(long id, Func<ILedgerRecord, bool> written) => AwaitConditionAsync(() =>
    {
        var store = SharedMemoryJournal.Stores[_store];
        lock (store.Gate)
            return Task.FromResult(store.Events.TryGetValue($"job-{id}", out var events) && events.Values.Any(e =>
                written((ILedgerRecord)Sys.Serialization.Deserialize(e.Bytes, e.Serializer, e.Manifest))));
    });

    /// <summary>
    /// Returns once the job has handled every message sent to it so far: a redelivery is handled in order (after
    /// any write in progress) and acknowledged at once. The job re-sends its latest status if it was confirmed.
    /// </summary>
    private async Task Handled(IActorRef job, long id)
    {
        var again = FakeDelivery.Job(id);
        job.Tell(new AttachDelivery(again));
        await AwaitConditionAsync(() => Task.FromResult(again.Acked));
    }

    private static void Confirm(IActorRef job, ReportStatus report) => job.Tell(new StatusConfirmed(report.JobId, report.Seq, report.Status));

    /// <summary>Confirms the terminal status, expects JobDone, retires the job and sees it stop.</summary>
    private async Task ConfirmTerminalAndRetire(IActorRef job, ReportStatus terminal)
    {
        Assert.True(terminal.Terminal);
        Watch(job);
        Confirm(job, terminal);
        var done = (JobDone)await FishForMessageAsync(m => m is JobDone); // after JobEnded, unless the test took that already
        Assert.Equal((terminal.Status, terminal.Seq), (done.Terminal.Status, done.Terminal.Seq));
        job.Tell(RetireJob.Instance);
        await ExpectTerminatedAsync(job);
    }

    private async Task<RunStep> ToRunning(IActorRef job)
    {
        await ExpectStatus(JobStatuses.Pending, StatusTexts.Submitted, seq: 1);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running, StatusTexts.Running, seq: 2);
        return run;
    }

    [Fact]
    public async Task The_delivery_is_acked_once_the_job_is_in_the_ledger_long_before_its_end()
    {
        var delivery = FakeDelivery.Job(40);
        var job = Start(delivery);
        await AwaitConditionAsync(() => Task.FromResult(delivery.Acked));
        var run = await ToRunning(job);
        Assert.False(run.Resume);
        Assert.Contains("job-40", SharedMemoryJournal.Stores[_store].PersistenceIds);
    }

    [Fact]
    public async Task The_delivery_waits_for_the_supervisors_admission_as_well_as_the_jobs_acceptance()
    {
        var delivery = FakeDelivery.Job(41);
        var job = Start(delivery, admissionWritten: false);
        await ExpectStatus(JobStatuses.Pending, StatusTexts.Submitted, seq: 1); // the acceptance is written: its status follows it
        Assert.False(delivery.Acked, "without the supervisor's admission, a crash would leave the request with no one to resume it");
        job.Tell(AdmissionWritten.Instance);
        await AwaitConditionAsync(() => Task.FromResult(delivery.Acked));
    }

    [Fact]
    public async Task A_second_run_of_a_job_numbers_its_statuses_on_and_keeps_a_journal_of_its_own()
    {
        var delivery = FakeDelivery.Job(39, kwargs: "{\"test\": true}", taskId: "second-request");
        var job = Start(delivery, run: 2, seqBase: 4);
        await AwaitConditionAsync(() => Task.FromResult(delivery.Acked));
        var pending = await ExpectStatus(JobStatuses.Pending, StatusTexts.Submitted, seq: 5);
        Assert.Equal((2, "second-request"), (pending.Run, pending.ParentTaskId));
        var run = await _runner.ExpectMsgAsync<RunStep>();
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running, seq: 6);
        var success = await ExpectStatus(JobStatuses.Success, seq: 7);
        Assert.Contains(PersistenceIds.Job(new JobId(39), 2), SharedMemoryJournal.Stores[_store].PersistenceIds);
        Assert.DoesNotContain(PersistenceIds.Job(new JobId(39)), SharedMemoryJournal.Stores[_store].PersistenceIds);
        Watch(job);
        foreach (var seq in new[] { 5L, 6, 7 }) job.Tell(new StatusConfirmed(new JobId(39), seq, ""));
        var done = (JobDone)await FishForMessageAsync(m => m is JobDone);
        Assert.Equal((7L, 2, "second-request"), (done.Terminal.Seq, done.Run, done.TaskId));
    }

    [Fact]
    public async Task An_unknown_service_fails_with_the_0_7_text_and_the_job_retires_once_the_broker_confirmed_it()
    {
        var job = Start(FakeDelivery.Job(41, service: "nope"));
        var failed = await ExpectStatus(JobStatuses.Failed, "Post-processing service 'nope' is not available.", seq: 1);
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(new JobId(41), (await ExpectMsgAsync<JobEnded>()).JobId); // its slot may take the next request at once
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // not done before the confirm
        await ConfirmTerminalAndRetire(job, failed);
        Assert.DoesNotContain("job-41", SharedMemoryJournal.Stores[_store].PersistenceIds.Where(p =>
            SharedMemoryJournal.Stores[_store].Events[p].Count > 0));
    }

    [Fact]
    public async Task Test_mode_ends_at_success()
    {
        var job = Start(FakeDelivery.Job(42, kwargs: "{\"test\": true}"));
        var run = await ToRunning(job);
        Assert.True(run.Spec.TestMode);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run));
        var success = await ExpectStatus(JobStatuses.Success, StatusTexts.Completed, seq: 3);
        await _packager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await ConfirmTerminalAndRetire(job, success);
    }

    [Fact]
    public async Task After_success_the_results_are_packaged_and_uploaded()
    {
        var job = Start(FakeDelivery.Job(43));
        var run = await ToRunning(job);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run));
        Assert.False((await ExpectStatus(JobStatuses.Success)).Terminal);
        Assert.Equal(StepKind.Package, (await _packager.ExpectMsgAsync<RunStep>()).Kind);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Package));
        Assert.Equal(StepKind.Upload, (await _uploader.ExpectMsgAsync<RunStep>()).Kind);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Upload));
        var uploaded = await ExpectStatus(JobStatuses.Uploaded, StatusTexts.Uploaded, seq: 4);
        await ConfirmTerminalAndRetire(job, uploaded);
    }

    [Theory]
    [InlineData(StepKind.Run, false, "failed", "Job stopped with error message : 'boom'.")]
    [InlineData(StepKind.Run, true, "timed_out", "Job timed out")]
    [InlineData(StepKind.Package, false, "failed", StatusTexts.TarballError)]
    [InlineData(StepKind.Upload, false, "failed", StatusTexts.UploadError)]
    public async Task A_failed_step_ends_the_job_with_its_status(StepKind failing, bool timedOut, string status, string text)
    {
        var job = Start(FakeDelivery.Job(44));
        var id = (await ToRunning(job)).Spec.JobId;
        if (failing != StepKind.Run)
        {
            job.Tell(new StepSucceeded(id, StepKind.Run));
            await ExpectStatus(JobStatuses.Success);
            await _packager.ExpectMsgAsync<RunStep>();
            if (failing == StepKind.Upload)
            {
                job.Tell(new StepSucceeded(id, StepKind.Package));
                await _uploader.ExpectMsgAsync<RunStep>();
            }
        }
        job.Tell(new StepFailed(id, failing, text, "detail", timedOut));
        await ConfirmTerminalAndRetire(job, await ExpectStatus(status, text));
    }

    [Fact]
    public async Task A_runner_that_never_answers_times_the_job_out()
    {
        var job = Start(FakeDelivery.Job(45));
        await ExpectStatus(JobStatuses.Pending);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        // Until the service runs (a SLURM job may be queued for days) only the long start net applies.
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromHours(24));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running);
        await Handled(job, 45); // the run's deadline is set once the status is reported: wait for it before moving the clock
        // The service allows 1 minute; the safety net adds the run grace (5 min), from the start of the run.
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(5));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(1.1));
        // Its step is stopped first; only when even the stop gets no answer does the job end without it.
        var stop = await _runner.ExpectMsgAsync<StopStep>();
        Assert.Equal((run.Spec.JobId, StepKind.Run, true), (stop.JobId, stop.Kind, stop.TimedOut));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        ((TestScheduler)Sys.Scheduler).Advance(JobTimeouts.Default.StopGrace);
        await ConfirmTerminalAndRetire(job, await ExpectStatus(JobStatuses.TimedOut, StatusTexts.TimedOut));
    }

    [Fact]
    public async Task A_deadline_stops_the_step_and_the_job_ends_only_once_the_step_answers()
    {
        var job = Start(FakeDelivery.Job(47));
        await ExpectStatus(JobStatuses.Pending);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running);
        await Handled(job, 47);
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(6.1));
        var stop = await _runner.ExpectMsgAsync<StopStep>();
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing is reported while the step is still at work
        job.Tell(new StepFailed(stop.JobId, stop.Kind, stop.StatusText, stop.Detail, stop.TimedOut));
        await ConfirmTerminalAndRetire(job, await ExpectStatus(JobStatuses.TimedOut, StatusTexts.TimedOut));
    }

    [Fact]
    public async Task Packaging_and_upload_deadlines_count_from_the_step_s_start_and_an_upload_s_from_its_own_limit()
    {
        var job = Start(FakeDelivery.Job(48));
        await ExpectStatus(JobStatuses.Pending);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running);
        Confirm(job, await ExpectStatus(JobStatuses.Success));
        await _packager.ExpectMsgAsync<RunStep>();
        // Queued behind other jobs' packaging for longer than the packaging deadline: not this job's time yet.
        ((TestScheduler)Sys.Scheduler).Advance(JobTimeouts.Default.Package + TimeSpan.FromMinutes(1));
        await _packager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Package));
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Package));
        await _uploader.ExpectMsgAsync<RunStep>();
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Upload, TimeSpan.FromMinutes(3)));
        await Handled(job, 48);
        await ExpectStatus(JobStatuses.Success); // a redelivery gets the latest confirmed status again
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(2));
        await _uploader.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(1.1));
        var stop = await _uploader.ExpectMsgAsync<StopStep>();
        Assert.Equal((StepKind.Upload, false), (stop.Kind, stop.TimedOut));
        job.Tell(new StepFailed(stop.JobId, stop.Kind, stop.StatusText, stop.Detail));
        await ConfirmTerminalAndRetire(job, await ExpectStatus(JobStatuses.Failed, StatusTexts.UploadError));
    }

    [Fact]
    public async Task Another_delivery_is_acked_at_once_and_gets_the_latest_confirmed_status_again()
    {
        var job = Start(FakeDelivery.Job(46));
        var pending = await ExpectStatus(JobStatuses.Pending);
        var second = FakeDelivery.Job(46);
        job.Tell(new AttachDelivery(second));
        await AwaitConditionAsync(() => Task.FromResult(second.Acked));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // pending is not confirmed yet: it is on its way anyway

        Confirm(job, pending);
        var third = FakeDelivery.Job(46);
        job.Tell(new AttachDelivery(third));
        var again = await ExpectStatus(JobStatuses.Pending, seq: 1);
        Assert.False(again.Terminal);
        Assert.True(third.Acked);
        Assert.Single(_runner.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m as RunStep));
    }

    [Fact]
    public async Task A_resumed_job_sends_what_the_broker_did_not_confirm_and_re_attaches_to_its_run()
    {
        var first = Start(FakeDelivery.Job(47));
        var pending = await ExpectStatus(JobStatuses.Pending, seq: 1);
        Confirm(first, pending);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        first.Tell(new StepStarted(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running, seq: 2); // never confirmed: the daemon "dies" here
        await AwaitJournal(47, r => r is StatusDelivered);
        await AwaitJournal(47, r => r is JobMoved { To: JobPhase.Running });
        Watch(first);
        Sys.Stop(first);
        await ExpectTerminatedAsync(first);

        var again = Resume(47, afterCrash: true);
        var resent = await ExpectStatus(JobStatuses.Running, seq: 2);
        Assert.False(resent.Terminal);
        var resumedRun = await _runner.ExpectMsgAsync<RunStep>();
        Assert.True(resumedRun.Resume, "the run step must re-attach, not start the service again");
        again.Tell(new StepFailed(resumedRun.Spec.JobId, StepKind.Run, StatusTexts.StoppedWithError("x"), ""));
        await ConfirmTerminalAndRetire(again, await ExpectStatus(JobStatuses.Failed, seq: 3));
    }

    [Fact]
    public async Task A_job_that_dies_with_the_daemon_three_times_without_progress_is_given_up_and_kept()
    {
        var first = Start(FakeDelivery.Job(48));
        var pending = await ExpectStatus(JobStatuses.Pending, seq: 1);
        Confirm(first, pending);
        await _runner.ExpectMsgAsync<RunStep>();
        await AwaitJournal(48, r => r is StatusDelivered);
        Watch(first);
        Sys.Stop(first);
        await ExpectTerminatedAsync(first);

        for (var i = 1; i < JobLifecycle.MaxCrashResumes; i++)
        {
            var again = Resume(48, afterCrash: true);
            await _runner.ExpectMsgAsync<RunStep>();
            Watch(again);
            Sys.Stop(again);
            await ExpectTerminatedAsync(again);
        }
        var last = Resume(48, afterCrash: true);
        var failed = await ExpectStatus(JobStatuses.Failed, seq: 2);
        Assert.Contains("Terminus stopped 3 times while handling this job", failed.Message);
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await ConfirmTerminalAndRetire(last, failed);
    }

    [Fact]
    public async Task Clean_restarts_never_count_as_crashes()
    {
        var first = Start(FakeDelivery.Job(49));
        await ExpectStatus(JobStatuses.Pending);
        await _runner.ExpectMsgAsync<RunStep>();
        Watch(first);
        Sys.Stop(first);
        await ExpectTerminatedAsync(first);
        for (var i = 0; i < JobLifecycle.MaxCrashResumes + 1; i++)
        {
            var again = Resume(49, afterCrash: false);
            Assert.True((await _runner.ExpectMsgAsync<RunStep>()).Resume);
            Watch(again);
            Sys.Stop(again);
            await ExpectTerminatedAsync(again);
        }
    }

    [Fact]
    public async Task A_poisoned_request_is_refused_without_running_and_kept_for_inspection()
    {
        var job = Start(FakeDelivery.Job(50), poisoned: true);
        var failed = await ExpectStatus(JobStatuses.Failed, seq: 1);
        Assert.Contains("it was refused and kept for inspection", failed.Message);
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.True(File.Exists(Path.Combine(_tree.JobRoot, JobPaths.FailedDirName, "50.request.json")));
        await ConfirmTerminalAndRetire(job, failed);
    }

    [Fact]
    public async Task A_job_resumed_without_any_ledger_entry_says_so_to_its_supervisor_and_takes_nothing()
    {
        var job = Resume(51, afterCrash: true);
        Assert.Equal(new JobId(51), (await ExpectMsgAsync<JobNotFound>()).JobId);
        var delivery = FakeDelivery.Job(51);
        job.Tell(new AttachDelivery(delivery));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Null(delivery.Outcome); // left to the supervisor, which gives it back to the broker
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
    }

    private static CancelRequest CancelOf(long id, CancelledBy by = CancelledBy.Portal, string? reason = null) => new(new JobId(id), by, reason);

    [Fact]
    public async Task A_cancel_while_the_run_waits_for_a_worker_ends_the_job_without_it_ever_running()
    {
        var job = Start(FakeDelivery.Job(60));
        await ExpectStatus(JobStatuses.Pending);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        job.Tell(new CancelRun(CancelOf(60, CancelledBy.Operator, "sent by mistake")));
        var stop = await _runner.ExpectMsgAsync<StopStep>();
        Assert.Equal((StepKind.Run, false), (stop.Kind, stop.TimedOut));
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Run)); // the start raced the stop: it is not shown
        job.Tell(new StepFailed(stop.JobId, stop.Kind, stop.StatusText, stop.Detail));
        var end = await ExpectStatus(JobStatuses.Failed, "Job cancelled by the lab's operator: sent by mistake.", seq: 2);
        await ConfirmTerminalAndRetire(job, end);
    }

    [Fact]
    public async Task A_cancel_of_a_running_job_stops_its_run_and_a_success_that_races_the_stop_still_ends_it_cancelled_once()
    {
        var job = Start(FakeDelivery.Job(61));
        var run = await ToRunning(job);
        job.Tell(new CancelRun(CancelOf(61)));
        var stop = await _runner.ExpectMsgAsync<StopStep>();
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run)); // it ended on its own before the stop reached it
        job.Tell(new StepFailed(stop.JobId, stop.Kind, stop.StatusText, stop.Detail)); // a stale answer after the end
        job.Tell(new CancelRun(CancelOf(61))); // and a second cancel
        var end = await ExpectStatus(JobStatuses.Failed, "Job cancelled by the portal.", seq: 3);
        await _packager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing is packaged after a cancel
        await ConfirmTerminalAndRetire(job, end);
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_cancel_while_uploading_stops_the_upload_and_a_stop_nobody_answers_still_ends_the_job()
    {
        var job = Start(FakeDelivery.Job(62));
        var run = await ToRunning(job);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run));
        Confirm(job, await ExpectStatus(JobStatuses.Success));
        await _packager.ExpectMsgAsync<RunStep>();
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Package));
        await _uploader.ExpectMsgAsync<RunStep>();
        job.Tell(new CancelRun(CancelOf(62)));
        var stop = await _uploader.ExpectMsgAsync<StopStep>();
        Assert.Equal(StepKind.Upload, stop.Kind);
        await Handled(job, 62); // the stop's grace is armed before the pool is told
        await ExpectStatus(JobStatuses.Success); // a redelivery gets the latest confirmed status again
        ((TestScheduler)Sys.Scheduler).Advance(JobTimeouts.Default.StopGrace);
        await ConfirmTerminalAndRetire(job, await ExpectStatus(JobStatuses.Failed, "Job cancelled by the portal."));
    }

    [Fact]
    public async Task A_request_cancelled_before_it_came_ends_cancelled_without_being_validated_or_run()
    {
        var delivery = FakeDelivery.Job(63, service: "no_such_service");
        var task = ((DecodedTask)CeleryDecoder.Decode(delivery.Message)).Task;
        var request = ((BoundJob)JobRequestBinder.Bind(task)).Request;
        var job = ChildActorOf(JobActor.Props(request.JobId,
            new JobStart.NewRequest(task, request, delivery, false, Cancel: CancelOf(63, CancelledBy.Operator)), Deps));
        job.Tell(AdmissionWritten.Instance);
        var end = await ExpectStatus(JobStatuses.Failed, "Job cancelled by the lab's operator.", seq: 1);
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await AwaitConditionAsync(() => Task.FromResult(delivery.Acked));
        await ConfirmTerminalAndRetire(job, end);
    }

    [Fact]
    public async Task A_cancel_after_the_end_changes_nothing()
    {
        var job = Start(FakeDelivery.Job(64, service: "no_such_service"));
        var end = await ExpectStatus(JobStatuses.Failed, StatusTexts.ServiceNotAvailable("no_such_service"));
        job.Tell(new CancelRun(CancelOf(64)));
        await ConfirmTerminalAndRetire(job, end);
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
