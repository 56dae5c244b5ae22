using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Tests.Fakes;
using Xunit;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Intake;

public sealed class JobIntakeSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _supervisor;
    private readonly JobIntake _intake;

    public JobIntakeSpecs(ITestOutputHelper output) : base(output: output)
    {
        _supervisor = CreateTestProbe("supervisor");
        _intake = new JobIntake(_supervisor, Sys.Log);
    }

    private Task Run(int maxJobs, params IDelivery[] deliveries) =>
        _intake.Graph(Source.From(deliveries), maxJobs).Run(Sys.Materializer());

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
    public async Task Intake_should_hand_jobs_to_the_supervisor_and_leave_them_unsettled()
    {
        var delivery = FakeDelivery.Job(5);
        var done = Run(2, delivery);
        var submit = await _supervisor.ExpectMsgAsync<SubmitJob>();
        Assert.Equal(5, submit.Request.JobId.Value);
        Assert.Same(delivery, submit.Delivery);
        Assert.Null(delivery.Outcome);
        Assert.False(done.IsCompleted, "the stream waits for the job's delivery to be settled");
        await delivery.AckAsync();
        await done.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Intake_should_never_have_more_jobs_in_hand_than_the_concurrency_bound()
    {
        var deliveries = Enumerable.Range(1, 5).Select(i => FakeDelivery.Job(i)).ToArray();
        var done = Run(2, deliveries);
        var first = await _supervisor.ExpectMsgAsync<SubmitJob>();
        var second = await _supervisor.ExpectMsgAsync<SubmitJob>();
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        await first.Delivery.AckAsync();
        var third = await _supervisor.ExpectMsgAsync<SubmitJob>();
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        await second.Delivery.AckAsync();
        await third.Delivery.AckAsync();
        var rest = new[] { await _supervisor.ExpectMsgAsync<SubmitJob>(), await _supervisor.ExpectMsgAsync<SubmitJob>() };
        foreach (var r in rest) await r.Delivery.AckAsync();
        await done.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(deliveries, d => Assert.True(d.Acked));
    }
}
