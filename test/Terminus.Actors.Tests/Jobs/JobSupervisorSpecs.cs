using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Reporting;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Xunit;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Jobs;

/// <summary>The supervisor with stand-in children, on a journal that outlives each supervisor incarnation.</summary>
public sealed class JobSupervisorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _reporter, _children;
    private readonly List<(JobId Id, JobStart Start)> _started = new();
    private readonly AdmissionGate _gate = new(4);
    private IActorRef _supervisor;
    private int _incarnation;

    public JobSupervisorSpecs(ITestOutputHelper output) : base(TestConfigs.VirtualTimeWithLedger($"supervisor-{Guid.NewGuid():N}"), output: output)
    {
        _reporter = CreateTestProbe("reporter");
        _children = CreateTestProbe("children");
        _supervisor = StartSupervisor();
    }

    private IActorRef StartSupervisor() =>
        Sys.ActorOf(JobSupervisorActor.Props((id, start) =>
        {
            lock (_started) _started.Add((id, start));
            return Props.Create(() => new StandInJob(_children.Ref, id));
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
        _supervisor.Tell(Submit(1));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        var again = FakeDelivery.Job(1);
        _supervisor.Tell(Submit(1, again));
        Assert.Same(again, (await _children.ExpectMsgAsync<AttachDelivery>()).Delivery);
        Assert.Single(StartsOf(1));
        Assert.IsType<JobStart.NewRequest>(StartsOf(1)[0]);
        Assert.Equal(1, _gate.Occupied); // the second delivery gave its slot back
    }

    [Fact]
    public async Task A_request_for_a_finished_job_gets_its_final_status_again_and_nothing_runs()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(3));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        child.Tell(new StandInJob.Finish(new OutboxEntry(4, JobStatuses.Uploaded, StatusTexts.Uploaded)));
        await _children.ExpectMsgAsync<RetireJob>();
        Assert.Equal(0, _gate.Occupied);

        await RestartSupervisor(clean: true); // the ledger remembers across restarts
        var late = FakeDelivery.Job(3);
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
        Assert.Equal(2, _gate.Occupied); // the old slot (never released by the stopped incarnation) and the resumed job's
    }

    [Fact]
    public async Task A_job_actor_that_dies_is_resumed_from_its_journal_after_a_pause()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(6));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        child.Tell(new StandInJob.Crash());
        await _children.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
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
        _supervisor.Tell(Submit(8));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        var again = FakeDelivery.Job(8);
        _supervisor.Tell(Submit(8, again));
        await _children.ExpectMsgAsync<AttachDelivery>();
        Watch(child);
        child.Tell(new StandInJob.NotFound());
        await ExpectTerminatedAsync(child);
        await AwaitConditionAsync(() => Task.FromResult(again.Outcome == "requeue"));
    }

    [Fact]
    public async Task A_request_that_comes_while_its_job_waits_to_be_resumed_is_handed_to_the_resumed_actor()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        _supervisor.Tell(Submit(9));
        var child = (await _children.ExpectMsgAsync<StandInJob.Started>()).Self;
        child.Tell(new StandInJob.Crash());
        await Task.Delay(200);
        var again = FakeDelivery.Job(9);
        _supervisor.Tell(Submit(9, again));
        await _children.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Null(again.Outcome); // not acked blindly: the job's journal may turn out empty
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(1));
        await _children.ExpectMsgAsync<StandInJob.Started>();
        Assert.Same(again, (await _children.ExpectMsgAsync<AttachDelivery>()).Delivery);
    }

    /// <summary>Stands in for a JobActor: reports its start, forwards what it gets, finishes or crashes on demand.</summary>
    private sealed class StandInJob : ReceiveActor
    {
        public sealed record Started(IActorRef Self);
        public sealed record Finish(OutboxEntry Terminal);
        public sealed record Crash;
        public sealed record NotFound;

        public StandInJob(IActorRef probe, JobId id)
        {
            probe.Tell(new Started(Self));
            Receive<Crash>(_ => throw new InvalidOperationException("simulated crash"));
            Receive<Finish>(f => Context.Parent.Tell(new JobDone(id, f.Terminal, "task", "task")));
            Receive<NotFound>(_ => Context.Parent.Tell(new JobNotFound(id)));
            ReceiveAny(m => probe.Forward(m));
        }
    }
}
