using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Amqp;
using Terminus.Actors.Jobs;
using Terminus.Actors.Reporting;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Xunit;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Jobs;

public sealed class JobSupervisorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _reporter;
    private readonly List<(JobRequest Request, IDelivery Delivery)> _started = new();
    private readonly IActorRef _supervisor;
    private IActorRef? _lastChild;

    public JobSupervisorSpecs(ITestOutputHelper output) : base(TestConfigs.VirtualTime, output: output)
    {
        _reporter = CreateTestProbe("reporter");
        var childProbe = CreateTestProbe("children");
        _supervisor = Sys.ActorOf(JobSupervisorActor.Props((request, delivery) =>
        {
            lock (_started) _started.Add((request, delivery));
            return Props.Create(() => new ForwardingChild(childProbe.Ref));
        }, _reporter), "job-supervisor");
        Children = childProbe;
    }

    private TestProbe Children { get; }

    private static SubmitJob Submit(long id, FakeDelivery? delivery = null)
    {
        delivery ??= FakeDelivery.Job(id);
        var task = ((DecodedTask)CeleryDecoder.Decode(delivery.Message)).Task;
        return new SubmitJob(((BoundJob)JobRequestBinder.Bind(task)).Request, delivery);
    }

    private async Task<IActorRef> ChildOf(long id)
    {
        _supervisor.Tell(GetLiveJobs.Instance);
        Assert.Contains(new JobId(id), (await ExpectMsgAsync<LiveJobs>()).JobIds);
        _lastChild = await Sys.ActorSelection($"/user/job-supervisor/job-{id}").ResolveOne(TimeSpan.FromSeconds(3));
        return _lastChild;
    }

    [Fact]
    public async Task JobSupervisor_should_start_one_job_per_id_and_attach_redeliveries()
    {
        _supervisor.Tell(Submit(1));
        var child = await ChildOf(1);
        var again = FakeDelivery.Job(1);
        _supervisor.Tell(Submit(1, again));
        var attached = await Children.ExpectMsgAsync<AttachDelivery>();
        Assert.Same(again, attached.Delivery);
        Assert.Single(_started);
        Assert.Equal("job-1", child.Path.Name);

        _supervisor.Tell(Submit(2));
        await ChildOf(2);
        Assert.Equal(2, _started.Count);
    }

    [Fact]
    public async Task JobSupervisor_should_ack_a_request_for_a_job_that_already_finished_without_running_it()
    {
        _supervisor.Tell(Submit(3));
        var child = await ChildOf(3);
        Watch(child);
        _supervisor.Tell(new JobFinished(new JobId(3), JobStatuses.Failed, "x"), child);
        await ExpectTerminatedAsync(child);

        var late = FakeDelivery.Job(3);
        _supervisor.Tell(Submit(3, late));
        await AwaitConditionAsync(() => Task.FromResult(late.Acked));
        Assert.Single(_started);
    }

    [Fact]
    public async Task JobSupervisor_should_report_failed_when_a_job_actor_dies_and_then_ack_its_deliveries()
    {
        var delivery = FakeDelivery.Job(4);
        _supervisor.Tell(Submit(4, delivery));
        var child = await ChildOf(4);
        child.Tell(new ForwardingChild.Crash());

        var report = await _reporter.ExpectMsgAsync<ReportStatus>();
        Assert.Equal((new JobId(4), JobStatuses.Failed, true), (report.JobId, report.Status, report.Terminal));
        Assert.StartsWith("Job stopped with error message : 'internal error", report.Message);
        Assert.Null(delivery.Outcome);
        _reporter.Reply(new StatusConfirmed(new JobId(4), 1, JobStatuses.Failed));
        await AwaitConditionAsync(() => Task.FromResult(delivery.Acked));
    }

    /// <summary>Stands in for a JobActor: forwards what it gets, crashes on demand.</summary>
    private sealed class ForwardingChild : ReceiveActor
    {
        public sealed record Crash;

        public ForwardingChild(IActorRef probe)
        {
            Receive<Crash>(_ => throw new InvalidOperationException("simulated crash"));
            ReceiveAny(m => probe.Forward(m));
        }
    }
}
