using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Terminus.Actors.Reporting;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Jobs;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Reporting;

public sealed class StatusReporterSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly FakePublisher _publisher = new();
    private readonly IActorRef _reporter;

    public StatusReporterSpecs(ITestOutputHelper output) : base(TestConfigs.VirtualTime, output: output)
    {
        _reporter = Sys.ActorOf(StatusReporterActor.Props(_publisher, FakePublisher.Encoder(), "myhost"), "status-reporter");
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>
    /// Runs <paramref name="action"/> and waits until the reporter has scheduled its retry of a failed attempt: it logs
    /// after starting the timer, so the virtual clock can be moved without racing it.
    /// </summary>
    private Task RetryScheduledAfter(long jobId, int attempt, Action action) =>
        EventFilter.Warning(contains: $"Job #{jobId}: status pending not confirmed by the broker (publish attempt {attempt})")
            .ExpectOneAsync(() => { action(); return Task.CompletedTask; });

    private static string Body(Core.Celery.OutgoingCeleryMessage m) => Encoding.UTF8.GetString(m.Body);

    [Fact]
    public async Task StatusReporter_should_publish_confirm_and_carry_the_ledger_s_numbers()
    {
        _reporter.Tell(new ReportStatus(new JobId(7), 1, "pending", "Job successfully submitted (pending execution)", false, "t1", "r1"));
        _reporter.Tell(new ReportStatus(new JobId(7), 2, "failed", "boom", true, "t1", "r1"));
        var first = await ExpectMsgAsync<StatusConfirmed>();
        var second = await ExpectMsgAsync<StatusConfirmed>();
        Assert.Equal((1L, "pending"), (first.Sequence, first.Status));
        Assert.Equal((2L, "failed"), (second.Sequence, second.Status));

        var published = _publisher.Published.ToArray();
        Assert.Equal(2, published.Length);
        Assert.Equal(("galactica.status", "galactica.terminus_status"), (published[0].Exchange, published[0].RoutingKey));
        Assert.StartsWith("[[7, \"pending\", \"Job successfully submitted (pending execution)\"], {}, ", Body(published[0]));
        Assert.Equal(1L, published[0].Headers[StatusHeaders.Sequence]);
        Assert.Equal(2L, published[1].Headers[StatusHeaders.Sequence]);
        Assert.Equal("t1", published[0].Headers["parent_id"]);
        Assert.Equal("r1", published[0].Headers["root_id"]);
    }

    [Fact]
    public async Task StatusReporter_should_retry_with_backoff_until_the_broker_confirms_and_keep_the_order()
    {
        _publisher.FailNext = 3;
        await RetryScheduledAfter(8, attempt: 1, () =>
        {
            _reporter.Tell(new ReportStatus(new JobId(8), 1, "pending", "p", false));
            _reporter.Tell(new ReportStatus(new JobId(8), 2, "running", "r", false));
        });
        Assert.Equal(1, _publisher.Attempts);

        await RetryScheduledAfter(8, attempt: 2, () => Clock.Advance(TimeSpan.FromMilliseconds(500))); // attempt 2 after 0.5 s
        Assert.Equal(2, _publisher.Attempts);
        Clock.Advance(TimeSpan.FromMilliseconds(999));   // attempt 3 is due after 1 s, not before
        await Task.Delay(100);
        Assert.Equal(2, _publisher.Attempts);
        await RetryScheduledAfter(8, attempt: 3, () => Clock.Advance(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(3, _publisher.Attempts);
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("pending", (await ExpectMsgAsync<StatusConfirmed>()).Status);
        Assert.Equal("running", (await ExpectMsgAsync<StatusConfirmed>()).Status);

        var published = _publisher.Published.ToArray();
        Assert.Equal(["pending", "running"], published.Select(m => Body(m).Split('"')[1]));
        Assert.Equal(4, published[0].Headers[StatusHeaders.PublishAttempt]);
        Assert.Equal(1, published[1].Headers[StatusHeaders.PublishAttempt]);
        Assert.All(published, m => Assert.Equal(1, m.Headers[StatusHeaders.Attempt])); // the job's first run
    }

    [Fact]
    public async Task StatusReporter_should_say_which_run_of_the_job_a_status_belongs_to()
    {
        await WithinAsync(TimeSpan.FromSeconds(5), async () =>
        {
            _reporter.Tell(new ReportStatus(new JobId(9), 5, "pending", "p", false, "task-2", "task-2", Run: 2));
            Assert.Equal("pending", (await ExpectMsgAsync<StatusConfirmed>()).Status);
        });
        var message = Assert.Single(_publisher.Published);
        Assert.Equal((5L, 2, 1), (message.Headers[StatusHeaders.Sequence], message.Headers[StatusHeaders.Attempt], message.Headers[StatusHeaders.PublishAttempt]));
    }

    [Fact]
    public async Task StatusReporter_should_not_let_one_jobs_outage_block_another()
    {
        _publisher.FailNext = 1;
        await RetryScheduledAfter(9, attempt: 1, () => _reporter.Tell(new ReportStatus(new JobId(9), 1, "pending", "p", false)));
        _reporter.Tell(new ReportStatus(new JobId(10), 1, "pending", "p", false));
        Assert.Equal(new JobId(10), (await ExpectMsgAsync<StatusConfirmed>()).JobId);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new JobId(9), (await ExpectMsgAsync<StatusConfirmed>()).JobId);
    }

    [Fact]
    public async Task StatusReporter_should_never_send_anything_numbered_after_a_terminal_status_but_may_resend_it()
    {
        _reporter.Tell(new ReportStatus(new JobId(11), 1, "failed", "x", true));
        await ExpectMsgAsync<StatusConfirmed>();
        _reporter.Tell(new ReportStatus(new JobId(11), 2, "running", "late", false));
        _reporter.Tell(new ReportStatus(new JobId(11), 3, "failed", "again", true));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Single(_publisher.Published);

        _reporter.Tell(new ReportStatus(new JobId(11), 1, "failed", "x", true)); // the terminal status sent again (a re-sent request)
        Assert.Equal(1L, (await ExpectMsgAsync<StatusConfirmed>()).Sequence);
        Assert.Equal(2, _publisher.Published.Count);
        Assert.Equal(1L, _publisher.Published.Last().Headers[StatusHeaders.Sequence]);
    }

    [Fact]
    public async Task StatusReporter_should_send_a_later_run_of_a_finished_job_but_nothing_late_from_the_earlier_one()
    {
        _reporter.Tell(new ReportStatus(new JobId(13), 2, "failed", "x", true));
        await ExpectMsgAsync<StatusConfirmed>();
        _reporter.Tell(new ReportStatus(new JobId(13), 3, "pending", "p", false, Run: 2)); // a new request ran the job again
        Assert.Equal(3L, (await ExpectMsgAsync<StatusConfirmed>()).Sequence);
        _reporter.Tell(new ReportStatus(new JobId(13), 4, "uploaded", "u", true, Run: 2));
        Assert.Equal(4L, (await ExpectMsgAsync<StatusConfirmed>()).Sequence);
        _reporter.Tell(new ReportStatus(new JobId(13), 3, "running", "late", false)); // run 1 has nothing more to say
        _reporter.Tell(new ReportStatus(new JobId(13), 5, "running", "late", false, Run: 2));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal([2L, 3L, 4L], _publisher.Published.Select(m => (long)m.Headers[StatusHeaders.Sequence]!));
    }

    [Fact]
    public async Task StatusReporter_should_answer_a_flush_once_everything_is_confirmed()
    {
        _publisher.FailNext = 1;
        await RetryScheduledAfter(12, attempt: 1, () => _reporter.Tell(new ReportStatus(new JobId(12), 1, "pending", "p", false), ActorRefs.Nobody));
        _reporter.Tell(FlushStatuses.Instance);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await ExpectMsgAsync<StatusesFlushed>()).Unpublished);
    }

    [Fact]
    public void Backoff_doubles_from_half_a_second_up_to_thirty_seconds()
    {
        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 8).Select(a => StatusReporterActor.Backoff(a).TotalSeconds));
    }
}
