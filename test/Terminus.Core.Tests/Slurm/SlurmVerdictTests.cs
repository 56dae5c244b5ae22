using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Core.Slurm;

namespace Terminus.Core.Tests.Slurm;

public sealed class SlurmVerdictTests
{
    private static readonly RunnerEvent Running = new("running", "job is running");

    private static StepOutcome? Decide(string? state, RunnerEvent[] events, ExitRecord? exit = null, bool lost = false, bool grace = false, string exitCode = "0:0") =>
        SlurmVerdict.Decide("42", new SlurmObservation(state is null ? null : new SlurmJobState("42", state, "", exitCode),
            new RunObservation(events, exit, null, false, true, 30), lost, grace));

    [Theory]
    [InlineData("PENDING")]
    [InlineData("RUNNING")]
    [InlineData("COMPLETING")]
    [InlineData("CONFIGURING")]
    public void A_job_still_queued_or_running_is_waited_for(string state) => Assert.Null(Decide(state, [Running]));

    [Fact]
    public void Completed_with_the_runner_s_exit_record_is_a_success()
    {
        Assert.IsType<StepOutcome.Succeeded>(Decide("COMPLETED", [Running, new("completed", "ok")], new ExitRecord("completed", "ok", 0, null)));
    }

    [Fact]
    public void Completed_without_an_exit_record_waits_for_it_then_is_never_a_success()
    {
        Assert.Null(Decide("COMPLETED", [Running]));
        var f = Assert.IsType<StepOutcome.Failed>(Decide("COMPLETED", [Running], grace: true));
        Assert.Contains("without reporting a result", f.StatusText);
    }

    [Fact]
    public void Timeout_is_timed_out_whatever_the_runner_wrote()
    {
        Assert.IsType<StepOutcome.TimedOut>(Decide("TIMEOUT", [Running, new("timed out", "job timed out.")]));
        Assert.IsType<StepOutcome.TimedOut>(Decide("TIMEOUT", [Running]));
    }

    [Fact]
    public void A_cancel_is_a_cancel_even_though_the_runner_took_its_sigterm_for_a_time_limit()
    {
        var f = Assert.IsType<StepOutcome.Failed>(Decide("CANCELLED by 0", [Running, new("timed out", "job timed out.")], new ExitRecord("timed out", "job timed out.", 1, null)));
        Assert.Equal("Job stopped with error message : 'the SLURM job 42 was cancelled'.", f.StatusText);
    }

    [Theory]
    [InlineData("OUT_OF_MEMORY", "ran out of memory")]
    [InlineData("NODE_FAIL", "nodes failed")]
    [InlineData("BOOT_FAIL", "failed to boot")]
    [InlineData("PREEMPTED", "preempted")]
    [InlineData("DEADLINE", "deadline")]
    public void Scheduler_failures_say_which(string state, string text) =>
        Assert.Contains(text, Assert.IsType<StepOutcome.Failed>(Decide(state, [Running])).StatusText);

    [Fact]
    public void A_failed_service_keeps_its_own_message()
    {
        var f = Assert.IsType<StepOutcome.Failed>(Decide("FAILED", [Running, new("failed", "no gas particles")], new ExitRecord("failed", "no gas particles", 1, null), exitCode: "1:0"));
        Assert.Equal("Job stopped with error message : 'no gas particles'.", f.StatusText);
        var g = Assert.IsType<StepOutcome.Failed>(Decide("FAILED", [Running], exitCode: "0:9"));
        Assert.Equal("Job stopped with error message : 'the SLURM job 42 failed (exit code 0:9)'.", g.StatusText);
    }

    [Fact]
    public void A_node_that_cannot_sandbox_a_job_under_on_is_named_but_a_service_exiting_71_keeps_its_own_message()
    {
        var f = Assert.IsType<StepOutcome.Failed>(Decide("FAILED", [], exitCode: "71:0"));
        Assert.Equal("Job stopped with error message : 'the SLURM job 42 was not run: its node cannot sandbox it and TERMINUS_SANDBOX=on'.", f.StatusText);
        Assert.Contains("out/job.log", f.Detail);
        var own = Assert.IsType<StepOutcome.Failed>(Decide("FAILED", [Running, new("failed", "exit 71")], new ExitRecord("failed", "exit 71", 71, null), exitCode: "71:0"));
        Assert.Equal("Job stopped with error message : 'exit 71'.", own.StatusText);
    }

    [Fact]
    public void A_job_unknown_to_every_command_is_never_taken_for_a_success()
    {
        Assert.Null(Decide(null, [Running]));
        var lost = Assert.IsType<StepOutcome.Failed>(Decide(null, [Running], lost: true));
        Assert.Contains("was lost", lost.StatusText);
        Assert.IsType<StepOutcome.Succeeded>(Decide(null, [Running, new("completed", "ok")], new ExitRecord("completed", "ok", 0, null)));
    }
}
