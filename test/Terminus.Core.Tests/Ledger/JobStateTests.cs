using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Core.Tests.Execution;

namespace Terminus.Core.Tests.Ledger;

public sealed class JobStateTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;
    private static JobMoved Moved(JobPhase to, string? status = null, string? spec = null) => new(to, status, status is null ? null : $"{status} text", null, spec, At);

    [Fact]
    public void Statuses_are_numbered_in_order_and_the_outbox_holds_what_the_broker_did_not_confirm()
    {
        var s = new JobState();
        s.Apply(new JobAccepted(1, "t", "t", "{}", At, false));
        s.Apply(Moved(JobPhase.Pending, "pending", LedgerJson.SpecToJson(RunnerRequestTests.Spec())));
        s.Apply(Moved(JobPhase.Running, "running"));
        s.Apply(new StatusDelivered(1));
        s.Apply(Moved(JobPhase.Succeeded, "success"));
        s.Apply(Moved(JobPhase.Packaging));

        Assert.Equal([1L, 2, 3], s.Statuses.Select(e => e.Seq));
        Assert.Equal(["running", "success"], s.Undelivered.Select(e => e.Status));
        Assert.Equal(JobPhase.Packaging, s.Phase);
        Assert.False(s.IsTerminal);
        Assert.False(s.AllDelivered);
        Assert.Equal("density_map", s.Spec!.ServiceName);

        s.Apply(new StatusDelivered(3));
        Assert.True(s.AllDelivered);
        s.Apply(new StatusDelivered(2)); // a late confirm never goes back
        Assert.Equal(3, s.DeliveredUpTo);
    }

    [Fact]
    public void A_later_run_numbers_its_statuses_after_the_earlier_runs_and_owes_none_of_theirs()
    {
        var s = new JobState();
        s.Apply(new JobAccepted(1, "t2", "t2", "{}", At, false, Run: 2, SeqBase: 4));
        Assert.True(s.AllDelivered);
        Assert.Equal(4, s.DeliveredUpTo);
        s.Apply(Moved(JobPhase.Pending, "pending", LedgerJson.SpecToJson(RunnerRequestTests.Spec())));
        s.Apply(Moved(JobPhase.Running, "running"));
        Assert.Equal([5L, 6], s.Statuses.Select(e => e.Seq));
        Assert.Equal([5L, 6], s.Undelivered.Select(e => e.Seq));
        s.Apply(new StatusDelivered(6));
        Assert.True(s.AllDelivered);
    }

    [Fact]
    public void Success_is_terminal_in_test_mode_only()
    {
        var test = new JobState();
        test.Apply(Moved(JobPhase.Pending, "pending", LedgerJson.SpecToJson(RunnerRequestTests.Spec(test: true))));
        test.Apply(Moved(JobPhase.Succeeded, "success"));
        Assert.True(test.IsTerminal);
        var real = new JobState();
        real.Apply(Moved(JobPhase.Pending, "pending", LedgerJson.SpecToJson(RunnerRequestTests.Spec())));
        real.Apply(Moved(JobPhase.Succeeded, "success"));
        Assert.False(real.IsTerminal);
    }

    [Fact]
    public void Crash_resumes_count_until_the_job_makes_progress_and_clean_resumes_never_count()
    {
        var s = new JobState();
        s.Apply(new JobResumed(true, At));
        s.Apply(new JobResumed(false, At));
        s.Apply(new JobResumed(true, At));
        Assert.Equal(2, s.CrashResumesWithoutProgress);
        s.Apply(Moved(JobPhase.Pending, "pending"));
        Assert.Equal(0, s.CrashResumesWithoutProgress);
    }
}
