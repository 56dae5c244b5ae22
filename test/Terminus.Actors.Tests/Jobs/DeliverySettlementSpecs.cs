using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Jobs;

/// <summary>
/// The supervisor under its ledger guard, with real JobActors, on a journal whose writes can fail one journal at a time:
/// every delivery the supervisor takes is settled, whatever becomes of the job's actor, so the intake never waits on
/// one until the broker's consumer_timeout closes the channel; a failed write closes the gate until the ledger takes
/// writes again.
/// </summary>
public sealed class DeliverySettlementSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestTree _tree = new();
    private readonly TestProbe _reporter, _runner;
    private readonly AdmissionGate _gate = new(4);
    private readonly SharedMemoryJournal.Store _ledger;
    private readonly IActorRef _supervisor;

    public DeliverySettlementSpecs(ITestOutputHelper output) : this($"settlement-{Guid.NewGuid():N}", output) { }

    private DeliverySettlementSpecs(string store, ITestOutputHelper output) : base(TestConfigs.VirtualTimeWithLedger(store), output: output)
    {
        _ledger = SharedMemoryJournal.Stores.GetOrAdd(store, _ => new SharedMemoryJournal.Store());
        _reporter = CreateTestProbe("reporter");
        _runner = CreateTestProbe("runner");
        var deps = new JobDependencies(_tree.Validator(), _reporter, _runner, CreateTestProbe("packager"), CreateTestProbe("uploader"),
            JobTimeouts.Default, _tree.JobRoot);
        _supervisor = Sys.ActorOf(LedgerGuardActor.Props(
            restarted => JobSupervisorActor.Props((id, start) => JobActor.Props(id, start, deps), _reporter, _gate, "myhost", restarted), _gate), "ledger-guard");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _tree.Dispose();
    }

    private SubmitJob Submit(FakeDelivery delivery)
    {
        var task = ((DecodedTask)CeleryDecoder.Decode(delivery.Message)).Task;
        Assert.True(_gate.TryAdmit(out var slot));
        return new SubmitJob(((BoundJob)JobRequestBinder.Bind(task)).Request, task, delivery, slot);
    }

    /// <summary>Submits a new job whose acceptance write fails, and waits until the supervisor has stopped for it.</summary>
    private async Task<FakeDelivery> SubmitWhoseAcceptanceFails(long id)
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var delivery = FakeDelivery.Job(id);
        _ledger.FailNextWritesOf(PersistenceIds.Job(new JobId(id)));
        await EventFilter.Error(contains: "the job ledger cannot be written").ExpectOneAsync(() =>
        {
            _supervisor.Tell(Submit(delivery));
            return Task.CompletedTask;
        });
        return delivery;
    }

    [Fact]
    public async Task A_job_whose_acceptance_cannot_be_written_gives_its_delivery_back_and_closes_the_gate_until_the_ledger_works()
    {
        var first = await SubmitWhoseAcceptanceFails(30);
        await AwaitConditionAsync(() => Task.FromResult(first.Outcome == "requeue")); // never acked: the job is not durable
        Assert.Contains("write to job-30 failed (injected)", _gate.LedgerProblem);
        Assert.Equal(0, _gate.Occupied);
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        ((TestScheduler)Sys.Scheduler).Advance(LedgerGuardActor.MinPause); // started again; its first write succeeds
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));

        var back = first.Again(); // the broker gives it back: this time it is taken
        _supervisor.Tell(Submit(back));
        await AwaitConditionAsync(() => Task.FromResult(back.Acked));
        Assert.Equal(JobStatuses.Pending, (await _reporter.ExpectMsgAsync<ReportStatus>()).Status);
        Assert.False((await _runner.ExpectMsgAsync<RunStep>()).Resume);
    }

    [Fact]
    public async Task A_request_that_comes_while_the_ledger_is_broken_goes_back_to_the_broker()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var again = FakeDelivery.Job(31);
        var copy = Submit(again); // taken before the gate closed, handed over after the supervisor stopped
        var first = await SubmitWhoseAcceptanceFails(31);
        _supervisor.Tell(copy);
        await AwaitConditionAsync(() => Task.FromResult(first.Outcome == "requeue" && again.Outcome == "requeue"));
        await AwaitConditionAsync(() => Task.FromResult(_gate.Occupied == 0));
        Assert.Empty((await _supervisor.Ask<LiveJobs>(GetLiveJobs.Instance, TimeSpan.FromSeconds(5))).JobIds);
    }

    [Fact]
    public async Task A_supervisor_whose_own_writes_fail_is_started_again_until_one_succeeds_and_its_live_jobs_go_on()
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var running = FakeDelivery.Job(32);
        _supervisor.Tell(Submit(running));
        await AwaitConditionAsync(() => Task.FromResult(running.Acked));
        Assert.Equal(JobStatuses.Pending, (await _reporter.ExpectMsgAsync<ReportStatus>()).Status);
        await _runner.ExpectMsgAsync<RunStep>();

        _ledger.FailNextWritesOf(PersistenceIds.Supervisor, writes: 2); // the next admission, then the first restart's
        var refused = FakeDelivery.Job(33);
        await EventFilter.Error(contains: "the job ledger cannot be written").ExpectOneAsync(() =>
        {
            _supervisor.Tell(Submit(refused));
            return Task.CompletedTask;
        });
        await AwaitConditionAsync(() => Task.FromResult(refused.Outcome == "requeue"));
        Assert.NotNull(_gate.LedgerProblem);

        await EventFilter.Error(contains: "trying again in 2 s").ExpectOneAsync(() =>
        {
            ((TestScheduler)Sys.Scheduler).Advance(LedgerGuardActor.MinPause); // this start's write fails too: a longer pause
            return Task.CompletedTask;
        });
        Assert.NotNull(_gate.LedgerProblem);
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(2));
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        // The refused request's job may have reached its run step before its supervisor stopped: only job 32's counts here.
        var resumed = (RunStep)await _runner.FishForMessageAsync(m => m is RunStep { Spec.JobId.Value: 32 });
        Assert.True(resumed.Resume, "the live job is resumed, re-attaching to its service");
        Assert.Equal(new[] { new JobId(32) }, (await _supervisor.Ask<LiveJobs>(GetLiveJobs.Instance, TimeSpan.FromSeconds(5))).JobIds);
    }
}
