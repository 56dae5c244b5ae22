using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Terminus.Actors.Amqp;
using Terminus.Actors.Monitor;
using Terminus.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Monitor;

public sealed class MonitorResponderSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly FakePublisher _publisher = new();
    private readonly MonitorResponder _responder;

    public MonitorResponderSpecs(ITestOutputHelper output) : base(output: output)
    {
        _responder = new MonitorResponder(_publisher, FakePublisher.Encoder(), "myhost", Sys.Log);
    }

    private Task Run(params FakeDelivery[] probes) => _responder.Graph(Source.From<IDelivery>(probes)).Run(Sys.Materializer());

    [Fact]
    public async Task Monitor_should_answer_a_probe_with_update_server_online_echoing_the_host()
    {
        var probe = FakeDelivery.TaskMessage("test_terminus_server_is_up", "[\"portal-said-this\"]", id: "probe-1", queue: "myhost.monitor");
        await Run(probe).WaitAsync(TimeSpan.FromSeconds(5));
        var reply = Assert.Single(_publisher.Published);
        Assert.Equal(("galactica.status", "host_online"), (reply.Exchange, reply.RoutingKey));
        Assert.StartsWith("[[\"portal-said-this\"], {}, ", Encoding.UTF8.GetString(reply.Body));
        Assert.Equal("update_server_online", reply.Headers["task"]);
        Assert.Equal("probe-1", reply.Headers["parent_id"]);
        Assert.Equal("ack", probe.Outcome);
    }

    [Fact]
    public async Task Monitor_should_answer_with_its_own_name_when_the_probe_has_no_host()
    {
        var probe = FakeDelivery.TaskMessage("test_terminus_server_is_up", "[]", queue: "myhost.monitor");
        await Run(probe).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.StartsWith("[[\"myhost\"]", Encoding.UTF8.GetString(Assert.Single(_publisher.Published).Body));
    }

    [Fact]
    public async Task Monitor_should_ack_never_reject_what_it_cannot_use_so_nothing_dead_letters_to_host_down()
    {
        var garbage = FakeDelivery.Raw("{{{", new Dictionary<string, object?> { ["task"] = "x" }, "myhost.monitor");
        var other = FakeDelivery.TaskMessage("execute_terminus_job", "[1]", queue: "myhost.monitor");
        await Run(garbage, other).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("ack", "ack"), (garbage.Outcome, other.Outcome));
        Assert.Empty(_publisher.Published);
    }

    [Fact]
    public async Task Monitor_should_let_a_probe_dead_letter_to_host_down_while_the_daemon_cannot_work_and_answer_again_after()
    {
        string? down = "the job ledger cannot be written (disk full)";
        var responder = new MonitorResponder(_publisher, FakePublisher.Encoder(), "myhost", Sys.Log, () => down);
        var unanswered = FakeDelivery.TaskMessage("test_terminus_server_is_up", "[\"myhost\"]", queue: "myhost.monitor");
        await responder.Graph(Source.Single<IDelivery>(unanswered)).Run(Sys.Materializer()).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("reject", unanswered.Outcome); // the queue dead-letters it to host_down at once
        Assert.Empty(_publisher.Published);

        down = null;
        var answered = FakeDelivery.TaskMessage("test_terminus_server_is_up", "[\"myhost\"]", queue: "myhost.monitor");
        await responder.Graph(Source.Single<IDelivery>(answered)).Run(Sys.Materializer()).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("ack", "host_online"), (answered.Outcome, Assert.Single(_publisher.Published).RoutingKey));
    }

    [Fact]
    public async Task Monitor_should_requeue_a_probe_it_could_not_answer()
    {
        _publisher.FailNext = 1;
        var probe = FakeDelivery.TaskMessage("test_terminus_server_is_up", "[\"myhost\"]", queue: "myhost.monitor");
        await Run(probe).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("requeue", probe.Outcome);
    }

    [Fact]
    public async Task Monitor_should_take_a_cancel_to_the_supervisor_ack_it_once_recorded_and_give_it_back_while_the_ledger_cannot_take_it()
    {
        var supervisor = CreateTestProbe();
        var responder = new MonitorResponder(_publisher, FakePublisher.Encoder(), "myhost", Sys.Log, null,
            new Terminus.Actors.Intake.CancelIntake(supervisor, Sys.Log, TimeSpan.FromSeconds(5)));
        var cancel = FakeDelivery.TaskMessage("cancel_terminus_job", "[42]", "{\"by\": \"operator\", \"reason\": \"typo\"}", queue: "myhost.monitor");
        var unusable = FakeDelivery.TaskMessage("cancel_terminus_job", "[\"x\"]", queue: "myhost.monitor");
        var refused = FakeDelivery.TaskMessage("cancel_terminus_job", "[43]", queue: "myhost.monitor");
        var done = responder.Graph(Source.From<IDelivery>([cancel, unusable, refused])).Run(Sys.Materializer());

        var asked = await supervisor.ExpectMsgAsync<Terminus.Actors.Jobs.CancelJob>();
        Assert.Equal(new Terminus.Core.Jobs.CancelRequest(new Terminus.Core.Jobs.JobId(42), Terminus.Core.Jobs.CancelledBy.Operator, "typo"), asked.Request);
        Assert.Null(cancel.Outcome); // not before it is in the ledger
        supervisor.Reply(new Terminus.Actors.Jobs.CancelTaken(asked.Request.JobId, Terminus.Core.Ledger.CancelDecision.StopLive));
        await supervisor.ExpectMsgAsync<Terminus.Actors.Jobs.CancelJob>(); // job 43: the unusable one never reached the supervisor
        supervisor.Reply(new Akka.Actor.Status.Failure(new InvalidOperationException("the job ledger cannot be written")));
        await done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("ack", "ack", "requeue"), (cancel.Outcome, unusable.Outcome, refused.Outcome));
        Assert.Empty(_publisher.Published);
    }
}
