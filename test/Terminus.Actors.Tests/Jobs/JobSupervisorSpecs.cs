using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Reporting;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Jobs;

/// <summary>The supervisor with stand-in children, on a journal that outlives each supervisor incarnation.</summary>
public sealed class JobSupervisorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _reporter, _children, _admissions;
    private readonly List<(JobId Id, JobStart Start)> _started = new();
    private readonly AdmissionGate _gate = new(4);
    private IActorRef _supervisor;
    private int _incarnation;

    public JobSupervisorSpecs(ITestOutputHelper output) : base(TestConfigs.VirtualTimeWithLedger($"supervisor-{Guid.NewGuid():N}"), output: output)
    {
        _reporter = CreateTestProbe("reporter");
        _children = CreateTestProbe("children");
        _admissions = CreateTestProbe("admissions");
        _supervisor = StartSupervisor();
    }

    private IActorRef StartSupervisor() =>
        Sys.ActorOf(JobSupervisorActor.Props((id, start) =>
        {
            lock (_started) _started.Add((id, start));
            var task = start is JobStart.NewRequest fresh ? fresh.Task.Id : "resumed";
            return Props.Create(() => new StandInJob(_children.Ref, _admissions.Ref, id, task, start.Run));
        }, _reporter, _gate, "myhost"), $"job-supervisor-{++_incarnation}");

    private async Task RestartSupervisor(bool clean)
    {
        if (clean) await _supervisor.Ask<LedgerStopped>(StopLedger.Instance, TimeSpan.FromSeconds(5));
        Watch(_supervisor);
        Sys.Stop(_supervisor);
        await ExpectTerminatedAsync(_supervisor);
        _supervisor = StartSupervisor();
    }

    private SubmitJob Submit(long id, FakeDelivery? delivery = null, string? taskId = null)
    {
        delivery ??= taskId is null ? FakeDelivery.Job(id)
            : FakeDelivery.TaskMessage("execute_terminus_job", $"[{id}, \"density_map\", \"a\", \"b\", \"c\", \"d\"]", id: taskId);
        var task = ((DecodedTask)CeleryDecoder.Decode(delivery.Message)).Task;
        Assert.True(_gate.TryAdmit(out var slot), "a free slot, as the intake would have taken");
        return new SubmitJob(((BoundJob)JobRequestBinder.Bind(task)).Request, task, delivery, slot);
    }

    private List<JobStart> StartsOf(long id) { lock (_started) return _started.Where(s => s.Id.Value == id).Select(s => s.Start).ToList(); }

    [Fact]
    public async Task The_gate_opens_once_the_ledger_is_recovered()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
    }

    [Fact]
    public async Task One_job_per_id_and_a_redelivery_joins_the_live_job()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var first = FakeDelivery.Job(1);
        _supervisor.Tell(Submit(1, first));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Equal(new JobId(1), (await _admissions.ExpectMsgAsync<StandInJob.AdmissionSeen>()).Id); // the job may ack once its acceptance is written too
        var again = first.Again();
        _supervisor.Tell(Submit(1, again));
        Assert.Same(again, (await _children.ExpectMsgAsync<AttachDelivery>()).Delivery);
        Assert.Single(StartsOf(1));
        Assert.IsType<JobStart.NewRequest>(StartsOf(1)[0]);
        Assert.Equal(1, _gate.Occupied); // the second delivery gave its slot back
    }

    [Fact]
    public async Task A_job_that_ended_gives_its_slot_to_the_next_request_while_its_statuses_are_confirmed()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(8));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        Assert.Equal(1, _gate.Occupied);
        child.Tell(new StandInJob.Ended());
        await AwaitConditionAsync(() => Task.FromResult(_gate.Occupied == 0));
        Assert.Equal(new[] { new JobId(8) }, (await _supervisor.Ask<LiveJobs>(GetLiveJobs.Instance, TimeSpan.FromSeconds(5))).JobIds); // live until retired

        _supervisor.Tell(Submit(9)); // the freed slot
        await _children.ExpectMsgAsync<StandInJob.Started>();
        child.Tell(new StandInJob.Finish(new OutboxEntry(3, JobStatuses.Uploaded, "done")));
        await _children.ExpectMsgAsync<RetireJob>();
        Assert.Equal(1, _gate.Occupied); // job 9's: the retirement gave nothing back twice
    }

    [Fact]
    public async Task A_request_for_a_finished_job_gets_its_final_status_again_and_nothing_runs()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var first = FakeDelivery.Job(3);
        _supervisor.Tell(Submit(3, first));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        child.Tell(new StandInJob.Finish(new OutboxEntry(4, JobStatuses.Uploaded, StatusTexts.Uploaded)));
        await _children.ExpectMsgAsync<RetireJob>();
        Assert.Equal(0, _gate.Occupied);

        await RestartSupervisor(clean: true); // the ledger remembers across restarts
        var late = first.Again();
        _supervisor.Tell(Submit(3, late));
        var resent = await _reporter.ExpectMsgAsync<ReportStatus>();
        Assert.Equal((new JobId(3), 4L, JobStatuses.Uploaded, true), (resent.JobId, resent.Seq, resent.Status, resent.Terminal));
        await AwaitConditionAsync(() => Task.FromResult(late.Acked));
        Assert.Single(StartsOf(3));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Live_jobs_are_resumed_at_start_knowing_whether_the_last_run_crashed(bool cleanStop, bool afterCrash)
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(5));
        await _children.ExpectMsgAsync<StandInJob.Started>();

        await RestartSupervisor(cleanStop);
        await _children.ExpectMsgAsync<StandInJob.Started>();
        var resume = Assert.IsType<JobStart.Resume>(StartsOf(5)[^1]);
        Assert.Equal(afterCrash, resume.AfterCrash);
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        Assert.Equal(1, _gate.Occupied); // the stopped incarnation gave its slot back; the resumed job holds one
    }

    [Fact]
    public async Task A_job_actor_that_dies_is_resumed_from_its_journal_after_a_pause()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(6));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        await CrashAndAwaitRespawnTimer(6, child);
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(1));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Equal(new JobStart.Resume(AfterCrash: true), StartsOf(6)[^1]);
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_request_whose_admission_was_lost_three_times_is_refused()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        for (var i = 0; i < JobSupervisorActor.MaxAbandonedAdmissions; i++)
        {
            _supervisor.Tell(Submit(7, taskId: "poison-task"));
            var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
            Assert.False(Assert.IsType<JobStart.NewRequest>(StartsOf(7)[^1]).Poisoned);
            child.Tell(new StandInJob.NotFound()); // as a JobActor does when its acceptance never got written
            await AwaitConditionAsync(() => Task.FromResult(_gate.Occupied == 0));
        }
        _supervisor.Tell(Submit(7, taskId: "poison-task"));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.True(Assert.IsType<JobStart.NewRequest>(StartsOf(7)[^1]).Poisoned);
    }

    [Fact]
    public async Task A_request_that_came_again_for_a_job_with_nothing_to_resume_goes_back_to_the_broker()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var first = FakeDelivery.Job(8);
        _supervisor.Tell(Submit(8, first));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        var again = first.Again();
        _supervisor.Tell(Submit(8, again));
        await _children.ExpectMsgAsync<AttachDelivery>();
        Watch(child);
        child.Tell(new StandInJob.NotFound());
        await ExpectTerminatedAsync(child);
        await AwaitConditionAsync(() => Task.FromResult(again.Outcome == "requeue" && first.Outcome == "requeue")); // the first one too
        Assert.Equal(0, _gate.Occupied);
    }

    [Fact]
    public async Task A_request_that_comes_while_its_job_waits_to_be_resumed_is_handed_to_the_resumed_actor()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var first = FakeDelivery.Job(9);
        _supervisor.Tell(Submit(9, first));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        await CrashAndAwaitRespawnTimer(9, child);
        var again = first.Again();
        _supervisor.Tell(Submit(9, again));
        await _children.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Null(again.Outcome); // not acked blindly: the job's journal may turn out empty
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(1));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        var handed = new[] { await _children.ExpectMsgAsync<AttachDelivery>(), await _children.ExpectMsgAsync<AttachDelivery>() };
        Assert.Equal([first, again], handed.Select(h => (FakeDelivery)h.Delivery)); // the first delivery was never settled either
    }

    /// <summary>Crashes a stand-in and waits until the supervisor has scheduled its resumption (it logs once the timer runs).</summary>
    private Task CrashAndAwaitRespawnTimer(long id, IActorRef child) =>
        EventFilter.Error(contains: $"Job #{id}: its actor stopped unexpectedly").ExpectOneAsync(() =>
        {
            child.Tell(new StandInJob.Crash());
            return Task.CompletedTask;
        });

    [Fact]
    public async Task A_new_request_for_a_finished_job_runs_it_again_its_numbers_continuing()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(20, taskId: "first-request"));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        child.Tell(new StandInJob.Finish(new OutboxEntry(3, JobStatuses.Failed, "boom")));
        await _children.ExpectMsgAsync<RetireJob>();

        await RestartSupervisor(clean: true);
        var resent = FakeDelivery.Job(20, taskId: "second-request"); // the portal sent the job again
        _supervisor.Tell(Submit(20, resent));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        var second = Assert.IsType<JobStart.NewRequest>(StartsOf(20)[^1]);
        Assert.Equal((2, 3L, false), (second.Run, second.SeqBase, second.Poisoned));
        Assert.Same(resent, second.Delivery);
        Assert.Null(resent.Outcome); // the job acks it once its acceptance is written
        Assert.Equal(1, _gate.Occupied);
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // no old status sent again: it runs

        await RestartSupervisor(clean: false); // a live second run resumes as that run
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Equal(new JobStart.Resume(AfterCrash: true, Run: 2), StartsOf(20)[^1]);
    }

    [Fact]
    public async Task A_new_request_for_a_job_that_still_runs_is_refused_without_a_status()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(21, taskId: "running-request"));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        var other = FakeDelivery.Job(21, taskId: "other-request");
        await EventFilter.Warning(contains: "Job #21: a new request (task other-request) came for the job while it runs").ExpectOneAsync(() =>
        {
            _supervisor.Tell(Submit(21, other));
            return Task.CompletedTask;
        });
        await AwaitConditionAsync(() => Task.FromResult(other.Outcome == "reject"));
        await _children.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the live job hears nothing of it
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nor does the portal
        Assert.Single(StartsOf(21));
        Assert.Equal(1, _gate.Occupied);
    }

    /// <summary>Stands in for a JobActor: reports its start, forwards what it gets, finishes or crashes on demand.</summary>
    private Task<CancelTaken> Cancel(long id, CancelledBy by = CancelledBy.Portal) =>
        _supervisor.Ask<CancelTaken>(new CancelJob(new CancelRequest(new JobId(id), by, null)), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task A_cancel_reaches_a_live_job_once_written_and_again_when_the_job_is_resumed_after_a_restart()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(20));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Equal(CancelDecision.StopLive, (await Cancel(20, CancelledBy.Operator)).Decision);
        Assert.Equal(CancelledBy.Operator, (await _children.ExpectMsgAsync<CancelRun>()).Request.By);
        Assert.Equal(CancelDecision.AlreadyTaken, (await Cancel(20)).Decision);

        await RestartSupervisor(clean: false); // the daemon died before the job could end: the cancel is in the ledger
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Equal(CancelledBy.Operator, (await _children.ExpectMsgAsync<CancelRun>()).Request.By);
    }

    [Fact]
    public async Task A_cancel_before_the_request_comes_is_remembered_and_one_after_the_end_changes_nothing()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        Assert.Equal(CancelDecision.AwaitRequest, (await Cancel(21)).Decision);
        await RestartSupervisor(clean: true);
        _supervisor.Tell(Submit(21));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        Assert.Equal(new CancelRequest(new JobId(21), CancelledBy.Portal, null), Assert.IsType<JobStart.NewRequest>(StartsOf(21).Single()).Cancel);

        child.Tell(new StandInJob.Finish(new OutboxEntry(1, JobStatuses.Failed, "Job cancelled by the portal.")));
        await _children.ExpectMsgAsync<RetireJob>();
        Assert.Equal(CancelDecision.AlreadyFinished, (await Cancel(21)).Decision);
        _supervisor.Tell(Submit(21, taskId: "a-new-request")); // the cancel was spent: a new request for the job runs
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Null(Assert.IsType<JobStart.NewRequest>(StartsOf(21)[1]).Cancel);
    }

    private sealed class StandInJob : ReceiveActor
    {
        public sealed record Started(IActorRef Self);
        public sealed record Finish(OutboxEntry Terminal);
        public sealed record Crash;
        public sealed record NotFound;
        public sealed record Ended;
        public sealed record AdmissionSeen(JobId Id);

        public StandInJob(IActorRef probe, IActorRef admissions, JobId id, string taskId, int run)
        {
            probe.Tell(new Started(Self));
            Receive<Crash>(_ => throw new InvalidOperationException("simulated crash"));
            Receive<Finish>(f => Context.Parent.Tell(new JobDone(id, f.Terminal, taskId, taskId, run)));
            Receive<NotFound>(_ => Context.Parent.Tell(new JobNotFound(id)));
            Receive<Ended>(_ => Context.Parent.Tell(new JobEnded(id)));
            Receive<AdmissionWritten>(_ => admissions.Tell(new AdmissionSeen(id)));
            ReceiveAny(m => probe.Forward(m));
        }
    }
}
