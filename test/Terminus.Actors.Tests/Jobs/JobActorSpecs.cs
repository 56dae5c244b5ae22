using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Jobs;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Xunit;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Jobs;

public sealed class JobActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestTree _tree = new();
    private readonly TestProbe _reporter, _runner, _packager, _uploader;

    public JobActorSpecs(ITestOutputHelper output) : base(TestConfigs.VirtualTime, output: output)
    {
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

    private (IActorRef Job, FakeDelivery Delivery) Start(FakeDelivery delivery)
    {
        var task = ((DecodedTask)CeleryDecoder.Decode(delivery.Message)).Task;
        var request = ((BoundJob)JobRequestBinder.Bind(task)).Request;
        var deps = new JobDependencies(_tree.Validator(), _reporter, _runner, _packager, _uploader, JobTimeouts.Default, Path.Combine(_tree.Root, "jobs"));
        return (ChildActorOf(JobActor.Props(request, delivery, deps)), delivery);
    }

    private async Task<ReportStatus> ExpectStatus(string status, string? message = null)
    {
        var report = await _reporter.ExpectMsgAsync<ReportStatus>();
        Assert.Equal(status, report.Status);
        if (message is not null) Assert.Equal(message, report.Message);
        return report;
    }

    private async Task ConfirmTerminal(IActorRef job, ReportStatus terminal, FakeDelivery delivery)
    {
        Assert.True(terminal.Terminal);
        Assert.False(delivery.Acked, "the delivery must not be acked before the terminal status is confirmed");
        job.Tell(new StatusConfirmed(terminal.JobId, 9, terminal.Status), _reporter);
        var finished = await ExpectMsgAsync<JobFinished>();
        Assert.Equal(terminal.Status, finished.Status);
        await AwaitConditionAsync(() => Task.FromResult(delivery.Acked));
    }

    [Fact]
    public async Task JobActor_should_fail_an_unknown_service_and_ack_only_after_the_status_is_confirmed()
    {
        var (job, delivery) = Start(FakeDelivery.Job(41, service: "nope"));
        var failed = await ExpectStatus(JobStatuses.Failed, "Post-processing service 'nope' is not available.");
        Assert.Equal(new JobId(41), failed.JobId);
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await ConfirmTerminal(job, failed, delivery);
    }

    [Fact]
    public async Task JobActor_should_report_pending_running_success_in_test_mode()
    {
        var (job, delivery) = Start(FakeDelivery.Job(42, kwargs: "{\"test\": true}"));
        var pending = await ExpectStatus(JobStatuses.Pending, StatusTexts.Submitted);
        Assert.False(pending.Terminal);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        Assert.Equal(StepKind.Run, run.Kind);
        Assert.True(run.Spec.TestMode);

        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Run), _runner);
        await ExpectStatus(JobStatuses.Running, StatusTexts.Running);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run), _runner);
        var success = await ExpectStatus(JobStatuses.Success, StatusTexts.Completed);
        await _packager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await ConfirmTerminal(job, success, delivery);
    }

    [Fact]
    public async Task JobActor_should_package_and_upload_after_success()
    {
        var (job, delivery) = Start(FakeDelivery.Job(43));
        await ExpectStatus(JobStatuses.Pending);
        var run = await _runner.ExpectMsgAsync<RunStep>();
        job.Tell(new StepStarted(run.Spec.JobId, StepKind.Run));
        await ExpectStatus(JobStatuses.Running);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Run));
        Assert.False((await ExpectStatus(JobStatuses.Success)).Terminal);
        Assert.Equal(StepKind.Package, (await _packager.ExpectMsgAsync<RunStep>()).Kind);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Package));
        Assert.Equal(StepKind.Upload, (await _uploader.ExpectMsgAsync<RunStep>()).Kind);
        job.Tell(new StepSucceeded(run.Spec.JobId, StepKind.Upload));
        var uploaded = await ExpectStatus(JobStatuses.Uploaded, StatusTexts.Uploaded);
        await ConfirmTerminal(job, uploaded, delivery);
    }

    [Theory]
    [InlineData(StepKind.Run, false, "failed", "Job stopped with error message : 'boom'.")]
    [InlineData(StepKind.Run, true, "timed_out", "Job timed out")]
    [InlineData(StepKind.Package, false, "failed", StatusTexts.TarballError)]
    [InlineData(StepKind.Upload, false, "failed", StatusTexts.UploadError)]
    public async Task JobActor_should_end_a_failed_step_with_its_status(StepKind failing, bool timedOut, string status, string text)
    {
        var (job, delivery) = Start(FakeDelivery.Job(44));
        await ExpectStatus(JobStatuses.Pending);
        var id = (await _runner.ExpectMsgAsync<RunStep>()).Spec.JobId;
        if (failing != StepKind.Run)
        {
            job.Tell(new StepSucceeded(id, StepKind.Run));
            await ExpectStatus(JobStatuses.Running);
            await ExpectStatus(JobStatuses.Success);
            await _packager.ExpectMsgAsync<RunStep>();
            if (failing == StepKind.Upload)
            {
                job.Tell(new StepSucceeded(id, StepKind.Package));
                await _uploader.ExpectMsgAsync<RunStep>();
            }
        }
        job.Tell(new StepFailed(id, failing, text, "detail", timedOut));
        var terminal = await ExpectStatus(status, text);
        await ConfirmTerminal(job, terminal, delivery);
    }

    [Fact]
    public async Task JobActor_should_time_out_when_the_runner_never_answers()
    {
        var (job, delivery) = Start(FakeDelivery.Job(45));
        await ExpectStatus(JobStatuses.Pending);
        await _runner.ExpectMsgAsync<RunStep>();
        // The service allows 1 minute; the safety net adds the run grace (5 min).
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(5));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromMinutes(1.1));
        var timedOut = await ExpectStatus(JobStatuses.TimedOut, StatusTexts.TimedOut);
        await ConfirmTerminal(job, timedOut, delivery);
    }

    [Fact]
    public async Task JobActor_should_ack_every_delivery_of_the_job_and_ignore_late_step_replies()
    {
        var (job, first) = Start(FakeDelivery.Job(46, service: "nope"));
        var second = FakeDelivery.Job(46, service: "nope");
        job.Tell(new AttachDelivery(second));
        var failed = await ExpectStatus(JobStatuses.Failed);
        job.Tell(new StepSucceeded(new JobId(46), StepKind.Run));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await ConfirmTerminal(job, failed, first);
        await AwaitConditionAsync(() => Task.FromResult(second.Acked));

        var third = FakeDelivery.Job(46, service: "nope");
        job.Tell(new AttachDelivery(third));
        await AwaitConditionAsync(() => Task.FromResult(third.Acked));
    }

    [Fact]
    public async Task JobActor_should_not_ack_on_a_non_terminal_confirmation()
    {
        var (job, delivery) = Start(FakeDelivery.Job(47));
        var pending = await ExpectStatus(JobStatuses.Pending);
        job.Tell(new StatusConfirmed(pending.JobId, 1, JobStatuses.Pending));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Null(delivery.Outcome);
    }
}
