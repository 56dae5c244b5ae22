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
/// The supervisor with real JobActors, on a journal whose writes can fail one journal at a time: every delivery the
/// supervisor takes is settled, whatever becomes of the job's actor, so the intake never waits on one until the
/// broker's consumer_timeout closes the channel.
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
        _supervisor = Sys.ActorOf(JobSupervisorActor.Props((id, start) => JobActor.Props(id, start, deps), _reporter, _gate, "myhost"), "job-supervisor");
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

    /// <summary>Submits a new job whose acceptance write fails, and waits until its actor has died of it.</summary>
    private async Task<FakeDelivery> SubmitWhoseAcceptanceFails(long id)
    {
        await AwaitConditionAsync(() => Task.FromResult(_gate.ClosedBecause is null));
        var delivery = FakeDelivery.Job(id);
        _ledger.FailNextWritesOf(PersistenceIds.Job(new JobId(id)));
        await EventFilter.Error(contains: $"Job #{id}: its actor stopped unexpectedly").ExpectOneAsync(() =>
        {
            _supervisor.Tell(Submit(delivery));
            return Task.CompletedTask;
        });
        return delivery;
    }

    [Fact]
    public async Task A_job_actor_that_dies_before_its_acceptance_is_written_gives_its_first_delivery_back_to_the_broker()
    {
        var first = await SubmitWhoseAcceptanceFails(30);
        Assert.Null(first.Outcome); // not acked: the job is not durable

        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(1)); // resumed from its journal, which is empty
        await AwaitConditionAsync(() => Task.FromResult(first.Outcome == "requeue"));
        await AwaitConditionAsync(() => Task.FromResult(_gate.Occupied == 0));
        await _reporter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await _runner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        var back = first.Again(); // the broker gives it back: this time it is taken
        _supervisor.Tell(Submit(back));
        await AwaitConditionAsync(() => Task.FromResult(back.Acked));
        Assert.Equal(JobStatuses.Pending, (await _reporter.ExpectMsgAsync<ReportStatus>()).Status);
        Assert.False((await _runner.ExpectMsgAsync<RunStep>()).Resume);
    }

    [Fact]
    public async Task A_redelivery_that_came_while_the_job_waited_to_be_resumed_goes_back_with_the_first_delivery()
    {
        var first = await SubmitWhoseAcceptanceFails(31);
        var again = first.Again(); // the broker redelivered it meanwhile (a reconnect)
        _supervisor.Tell(Submit(again));
        await AwaitConditionAsync(() => Task.FromResult(_gate.Occupied == 1)); // the copy gave its slot back
        Assert.Null(again.Outcome);

        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(1));
        await AwaitConditionAsync(() => Task.FromResult(first.Outcome == "requeue" && again.Outcome == "requeue"));
        await AwaitConditionAsync(() => Task.FromResult(_gate.Occupied == 0));
    }
}
