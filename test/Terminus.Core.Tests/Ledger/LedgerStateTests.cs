using Terminus.Core.Jobs;
using Terminus.Core.Ledger;

namespace Terminus.Core.Tests.Ledger;

public sealed class LedgerStateTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Live_retired_and_whether_the_last_run_ended_cleanly()
    {
        var s = new LedgerState();
        s.Apply(new DaemonStarted("h", At));
        s.Apply(new JobAdmitted(1, "t1", At));
        s.Apply(new JobAdmitted(2, "t2", At));
        s.Apply(new JobRetired(1, "uploaded", "ok", 4, "t1", null, At));
        Assert.True(s.RunOpen); // no DaemonStopped: seen at the next start, the run crashed
        Assert.Equal([new JobId(2)], s.Live.Keys);
        Assert.Equal(4, s.Retired[new JobId(1)].Seq);
        s.Apply(new DaemonStopped(At));
        Assert.False(s.RunOpen);
    }

    [Fact]
    public void The_same_request_joins_or_hears_its_final_status_again_and_a_new_one_runs_a_finished_job_again()
    {
        var s = new LedgerState();
        Assert.Equal(new RequestDecision.Admit(1, 0), s.Decide(new JobId(5), "t1"));
        s.Apply(new JobAdmitted(5, "t1", At));
        Assert.IsType<RequestDecision.JoinLive>(s.Decide(new JobId(5), "t1"));
        Assert.Equal(new RequestDecision.RefuseWhileLive(new LiveJob(5, "t1")), s.Decide(new JobId(5), "t2"));

        var retired = new JobRetired(5, "failed", "boom", 3, "t1", null, At);
        s.Apply(retired);
        Assert.Equal(new RequestDecision.ResendFinal(retired), s.Decide(new JobId(5), "t1"));
        Assert.Equal(new RequestDecision.Admit(2, 3), s.Decide(new JobId(5), "t2")); // numbers go on after the last run's 3

        s.Apply(new JobAdmitted(5, "t2", At, Run: 2, SeqBase: 3));
        Assert.Equal(new LiveJob(5, "t2", 2), s.Live[new JobId(5)]);
        Assert.IsType<RequestDecision.RefuseWhileLive>(s.Decide(new JobId(5), "t1")); // an old copy while run 2 runs
        s.Apply(new JobRetired(5, "uploaded", "ok", 7, "t2", null, At, Run: 2));
        Assert.Equal(new RequestDecision.Admit(3, 7), s.Decide(new JobId(5), "t3"));
    }

    [Fact]
    public void A_new_run_whose_admission_is_lost_leaves_the_last_finished_run_in_place()
    {
        var s = new LedgerState();
        s.Apply(new JobAdmitted(6, "t1", At));
        s.Apply(new JobRetired(6, "uploaded", "ok", 4, "t1", null, At));
        s.Apply(new JobAdmitted(6, "t2", At, Run: 2, SeqBase: 4));
        s.Apply(new JobAbandoned(6, "t2", At));
        Assert.Equal(new RequestDecision.Admit(2, 4), s.Decide(new JobId(6), "t2"));
    }

    [Fact]
    public void Admissions_lost_to_crashes_are_counted_per_request_until_it_retires()
    {
        var s = new LedgerState();
        for (var i = 0; i < 2; i++)
        {
            s.Apply(new JobAdmitted(7, "t7", At));
            s.Apply(new JobAbandoned(7, "t7", At));
        }
        Assert.Equal(2, s.AbandonedAdmissions("t7"));
        Assert.Empty(s.Live);
        s.Apply(new JobAdmitted(7, "t7", At));
        s.Apply(new JobRetired(7, "failed", "x", 1, "t7", null, At));
        Assert.Equal(0, s.AbandonedAdmissions("t7"));
    }

    [Fact]
    public void A_snapshot_keeps_live_jobs_and_drops_finished_jobs_past_the_retention()
    {
        var s = new LedgerState();
        s.Apply(new JobAdmitted(1, "t1", At));
        s.Apply(new JobAdmitted(2, "t2", At));
        s.Apply(new JobRetired(2, "failed", "x", 1, "t2", null, At));
        s.Apply(new JobAdmitted(3, "t3", At));
        s.Apply(new JobRetired(3, "uploaded", "ok", 4, "t3", null, At.AddDays(40)));
        s.Apply(new DaemonStarted("h", At));

        var snapshot = s.ToSnapshot(At.AddDays(45), TimeSpan.FromDays(30), 10);
        var restored = new LedgerState();
        restored.Apply(snapshot);

        Assert.Equal([new JobId(1)], restored.Live.Keys);
        Assert.Equal([new JobId(3)], restored.Retired.Keys);
        Assert.True(restored.RunOpen);
    }
}

public sealed class LedgerStateCancelTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_cancel_stops_a_live_job_waits_for_one_not_arrived_and_changes_nothing_for_a_finished_one()
    {
        var s = new LedgerState();
        s.Apply(new JobAdmitted(1, "t1", At));
        s.Apply(new JobAdmitted(2, "t2", At));
        s.Apply(new JobRetired(2, "uploaded", "ok", 4, "t2", null, At));
        Assert.Equal(CancelDecision.StopLive, s.DecideCancel(new JobId(1)));
        Assert.Equal(CancelDecision.AlreadyFinished, s.DecideCancel(new JobId(2)));
        Assert.Equal(CancelDecision.AwaitRequest, s.DecideCancel(new JobId(3)));

        s.Apply(new JobCancelRequested(3, "operator", "typo", At));
        Assert.Equal(CancelDecision.AlreadyTaken, s.DecideCancel(new JobId(3)));
        Assert.Equal(new CancelRequest(new JobId(3), CancelledBy.Operator, "typo"), s.CancelOf(new JobId(3))!.ToRequest());
        // Its request comes, runs (cancelled) and retires: the cancel is spent, a later request runs as any other.
        s.Apply(new JobAdmitted(3, "t3", At));
        s.Apply(new JobRetired(3, "failed", "Job cancelled by the lab's operator: typo.", 1, "t3", null, At));
        Assert.Null(s.CancelOf(new JobId(3)));
        Assert.Equal(new RequestDecision.Admit(2, 1), s.Decide(new JobId(3), "t4"));
    }

    [Fact]
    public void Cancels_outlive_a_snapshot_a_live_job_s_always_one_for_a_request_that_never_came_as_long_as_finished_jobs()
    {
        var s = new LedgerState();
        s.Apply(new JobAdmitted(1, "t1", At));
        s.Apply(new JobCancelRequested(1, "portal", null, At));
        s.Apply(new JobCancelRequested(9, "portal", null, At));
        s.Apply(new JobCancelRequested(8, "portal", null, At + TimeSpan.FromDays(29)));
        var snapshot = s.ToSnapshot(At + TimeSpan.FromDays(31), TimeSpan.FromDays(30), 100);
        var restored = new LedgerState();
        restored.Apply(LedgerJson.FromBytes(LedgerJson.ToBytes(snapshot), LedgerJson.ManifestOf(snapshot)));
        Assert.Equal([new JobId(1), new JobId(8)], restored.Cancels.Keys.OrderBy(k => k.Value));

        // A snapshot written before cancels existed reads as one without any.
        var old = LedgerJson.FromBytes("""{"live":[],"retired":[],"abandoned":{},"run_open":false}"""u8, "ledger-snapshot.v1");
        restored.Apply(old);
        Assert.Empty(restored.Cancels);
    }
}
