using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Tests.Fakes;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Intake;

public sealed class JobIntakeSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _supervisor;

    public JobIntakeSpecs(ITestOutputHelper output) : base(output: output)
    {
        _supervisor = CreateTestProbe("supervisor");
    }

    private AdmissionGate? _gate;

    private Task Run(int maxJobs, params IDelivery[] deliveries)
    {
        _gate = new AdmissionGate(maxJobs);
        _gate.MarkRecovered();
        return new JobIntake(_supervisor, _gate, Sys.Log).Graph(Source.From(deliveries)).Run(Sys.Materializer());
    }

    public static TheoryData<string, string?> Hostile => new()
    {
        { "not json at all", "execute_terminus_job" },
        { "{\"truncated\": [", "execute_terminus_job" },
        { "\"a string\"", "execute_terminus_job" },
        { "[1, 2, 3]", "execute_terminus_job" },
        { "[[123, \"svc\", \"c\", \"p\", \"e\", \"r\"], {}, {}]", "rm_rf_everything" },
        { "[[123, \"svc\", \"c\", \"p\", \"e\", \"r\"], {}, {}]", null },
        { "[[\"123\", \"svc\", \"c\", \"p\", \"e\", \"r\"], {}, {}]", "execute_terminus_job" },
        { "[[], {}, {}]", "execute_terminus_job" },
        { "[[null], {}, {}]", "execute_terminus_job" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Intake_should_reject_without_requeue_what_cannot_become_a_job(string body, string? task)
    {
        var headers = task is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["task"] = task, ["id"] = "x-1" };
        var delivery = FakeDelivery.Raw(body, headers);
        await Run(2, delivery).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("reject", delivery.Outcome);
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, _gate!.Occupied); // no job came of it: its slot is free again
    }

    [Fact]
    public async Task Intake_should_reject_a_message_far_larger_than_any_job_request()
    {
        var delivery = FakeDelivery.Job(9, kwargs: "{\"blob\": \"" + new string('x', JobIntake.MaxRequestBytes) + "\"}");
        await Run(1, delivery).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("reject", delivery.Outcome);
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task Intake_should_reject_a_pickled_body()
    {
        var delivery = FakeDelivery.Raw("\u0080\u0004K\u0001.", new Dictionary<string, object?> { ["task"] = "execute_terminus_job", ["id"] = "x" },
            contentType: "application/x-python-serialize");
        await Run(1, delivery).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("reject", delivery.Outcome);
    }

    [Fact]
    public async Task Intake_should_hand_jobs_to_the_supervisor_with_their_slot_and_leave_them_unsettled()
    {
        var delivery = FakeDelivery.Job(5);
        var done = Run(2, delivery);
        var submit = await _supervisor.ExpectMsgAsync<SubmitJob>();
        Assert.Equal(5, submit.Request.JobId.Value);
        Assert.Equal("execute_terminus_job", submit.Task.Name);
        Assert.Same(delivery, submit.Delivery);
        Assert.Null(delivery.Outcome);
        Assert.False(done.IsCompleted, "the stream waits for the job's delivery to be settled");
        await delivery.AckAsync();
        await done.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _gate!.Occupied); // the job keeps its slot after its delivery is acked
    }

    [Fact]
    public async Task Intake_should_take_no_more_requests_than_there_are_free_job_slots_even_once_acked()
    {
        var deliveries = Enumerable.Range(1, 5).Select(i => FakeDelivery.Job(i)).ToArray();
        var done = Run(2, deliveries);
        var first = await _supervisor.ExpectMsgAsync<SubmitJob>();
        var second = await _supervisor.ExpectMsgAsync<SubmitJob>();
        await first.Delivery.AckAsync();
        await second.Delivery.AckAsync();
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // acked, but both jobs still run

        first.Slot.Release(); // the first job retired
        var third = await _supervisor.ExpectMsgAsync<SubmitJob>();
        await third.Delivery.AckAsync();
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        second.Slot.Release();
        third.Slot.Release();
        var rest = new[] { await _supervisor.ExpectMsgAsync<SubmitJob>(), await _supervisor.ExpectMsgAsync<SubmitJob>() };
        foreach (var r in rest) { await r.Delivery.AckAsync(); r.Slot.Release(); }
        await done.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(deliveries, d => Assert.True(d.Acked));
    }

    [Fact]
    public async Task Intake_should_take_nothing_while_the_host_is_unhealthy()
    {
        var gate = new AdmissionGate(2);
        gate.MarkRecovered();
        gate.SetHostProblem("only 3 MiB free");
        var done = new JobIntake(_supervisor, gate, Sys.Log).Graph(Source.From(new IDelivery[] { FakeDelivery.Job(8) })).Run(Sys.Materializer());
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        gate.SetHostProblem(null);
        var submit = await _supervisor.ExpectMsgAsync<SubmitJob>();
        await submit.Delivery.AckAsync();
        await done.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
