using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Execution;

public sealed class RunVerdictTests
{
    private static readonly RunnerEvent Running = new("running", "job is running");

    private static StepOutcome Decide(RunnerEvent[] events, ExitRecord? exit = null, int? exitCode = null, bool killed = false, bool dirExists = true) =>
        RunVerdict.Decide(new RunObservation(events, exit, exitCode, killed, dirExists, 30));

    [Fact]
    public void A_job_whose_process_the_kernel_killed_for_memory_fails_saying_so_with_its_limit()
    {
        var killed = new ExitRecord("failed", "the service process was killed by SIGKILL (perhaps it ran out of memory)", null, 9);
        var outcome = RunVerdict.Decide(new RunObservation([Running], killed, 1, false, true, 30, OomKills: 1, MemoryLimitMb: 64));
        Assert.Equal("Job stopped with error message : 'the job ran out of memory: it used more than its limit of 64 MB and the kernel killed it'.",
            Assert.IsType<StepOutcome.Failed>(outcome).StatusText);
        // A helper killed for memory does not undo a success the service reported.
        Assert.IsType<StepOutcome.Succeeded>(RunVerdict.Decide(new RunObservation([Running], new ExitRecord("completed", "", 0, null), 0, false, true, 30,
            OomKills: 1, MemoryLimitMb: 64)));
    }

    [Fact]
    public void A_launcher_refused_by_the_job_s_cgroup_fails_saying_so()
    {
        var outcome = Decide([], exitCode: LocalLaunch.CgroupRefused);
        Assert.Contains("control group", Assert.IsType<StepOutcome.Failed>(outcome).StatusText);
    }

    [Fact]
    public void Completed_with_its_exit_record_is_a_success()
    {
        Assert.IsType<StepOutcome.Succeeded>(Decide([Running, new("completed", "job executed successfully")],
            new ExitRecord("completed", "job executed successfully", 0, null), 0));
    }

    [Fact]
    public void A_service_error_is_reported_with_0_7_s_text()
    {
        var failed = Assert.IsType<StepOutcome.Failed>(Decide([Running, new("failed", "division by zero")],
            new ExitRecord("failed", "division by zero", 1, null), 1));
        Assert.Equal("Job stopped with error message : 'division by zero'.", failed.StatusText);
    }

    [Fact]
    public void The_exit_record_wins_over_events()
    {
        var failed = Assert.IsType<StepOutcome.Failed>(Decide([Running],
            new ExitRecord("failed", "the service process was killed by SIGKILL (perhaps it ran out of memory)", null, 9), 1));
        Assert.Contains("killed by SIGKILL", failed.StatusText);
        Assert.Contains("signal 9", failed.Detail);
    }

    [Fact]
    public void A_final_event_counts_when_the_runner_died_before_its_exit_record()
    {
        Assert.IsType<StepOutcome.Succeeded>(Decide([Running, new("completed", "ok")], exitCode: 137));
        Assert.IsType<StepOutcome.TimedOut>(Decide([Running, new("timed out", "job timed out.")], exitCode: 137));
    }

    [Fact]
    public void A_run_killed_at_its_time_limit_is_timed_out_whatever_it_wrote()
    {
        var t = Assert.IsType<StepOutcome.TimedOut>(Decide([Running, new("timed out", "job timed out.")],
            new ExitRecord("timed out", "job timed out.", 1, null), 1, killed: true));
        Assert.Contains("30 min", t.Detail);
    }

    [Fact]
    public void Success_is_never_inferred_from_a_process_that_just_went_away()
    {
        var ended = Assert.IsType<StepOutcome.Failed>(Decide([Running], exitCode: 0));
        Assert.Equal("Job stopped with error message : 'the job ended without reporting a result'.", ended.StatusText);
        Assert.Contains("exit code 0", ended.Detail);
        var killed = Assert.IsType<StepOutcome.Failed>(Decide([Running], exitCode: 137));
        Assert.Contains("signal 9", killed.Detail);
        var vanished = Assert.IsType<StepOutcome.Failed>(Decide([Running]));
        Assert.Contains("disappeared", vanished.StatusText);
    }

    [Fact]
    public void A_removed_job_directory_gives_0_7_s_text()
    {
        var f = Assert.IsType<StepOutcome.Failed>(Decide([Running], dirExists: false));
        Assert.Equal(StatusTexts.JobDirRemoved, f.StatusText);
    }
}
