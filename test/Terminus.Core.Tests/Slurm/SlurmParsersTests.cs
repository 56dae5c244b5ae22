using Terminus.Core.Slurm;

namespace Terminus.Core.Tests.Slurm;

public sealed class SlurmParsersTests
{
    [Theory]
    [InlineData("1234\n", "1234")]
    [InlineData("1234;cluster_a\n", "1234")]
    [InlineData("sbatch: warning: something\n77\n", "77")]
    [InlineData("", null)]
    [InlineData("Submitted batch job 12\n", null)]
    public void Sbatch_parsable_output_gives_the_job_id(string stdout, string? id) => Assert.Equal(id, SlurmParsers.ParseSbatchId(stdout));

    [Theory]
    [InlineData("42", true)]
    [InlineData("1234567", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("007", false)]
    [InlineData("1 2", false)]
    [InlineData("", false)]
    [InlineData("12;cluster", false)]
    [InlineData("99999999999999999999", false)]
    public void A_job_id_a_command_may_use_is_a_positive_integer_in_plain_digits(string id, bool valid) => Assert.Equal(valid, SlurmParsers.IsJobId(id));

    [Fact]
    public void Squeue_lines_give_state_and_reason_and_odd_lines_are_skipped()
    {
        var states = SlurmParsers.ParseSqueue("12|RUNNING|None\n13|PENDING|Resources\n14|PENDING|PartitionConfig\ngarbage\n15|COMPLETED|None\n|X|Y\n");
        Assert.Equal(["12", "13", "14", "15"], states.Keys.Order());
        Assert.Equal(SlurmPhase.Running, states["12"].Phase);
        Assert.Equal(("PENDING", "Resources"), (states["13"].State, states["13"].Reason));
        Assert.Equal(SlurmPhase.Completed, states["15"].Phase);
    }

    [Fact]
    public void Sacct_lines_give_state_and_exit_code_including_cancelled_by_and_truncated_states()
    {
        var states = SlurmParsers.ParseSacct("2|COMPLETED|0:0\n3|FAILED|3:0\n4|CANCELLED by 0|0:0\n5|CANCELLED+|0:15\n6|OUT_OF_MEMORY|0:125\n7|TIMEOUT|0:0\n8.batch|FAILED|1:0\n");
        Assert.Equal("3:0", states["3"].ExitCode);
        Assert.Equal(("CANCELLED", SlurmPhase.Failed), (states["4"].BaseState, states["4"].Phase));
        Assert.Equal("CANCELLED", states["5"].BaseState);
        Assert.Equal(SlurmPhase.Failed, states["6"].Phase);
        Assert.Equal(SlurmPhase.TimedOut, states["7"].Phase);
        Assert.False(states.ContainsKey("8.batch"));
    }

    [Fact]
    public void Scontrol_show_job_gives_state_reason_and_exit_code()
    {
        const string text = "JobId=3 JobName=t-fail\n   UserId=root(0) GroupId=root(0)\n   JobState=FAILED Reason=NonZeroExitCode Dependency=(null)\n   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0\n";
        var s = SlurmParsers.ParseScontrol(text)!;
        Assert.Equal(("3", "FAILED", "NonZeroExitCode", "3:0"), (s.JobId, s.State, s.Reason, s.ExitCode));
        Assert.Null(SlurmParsers.ParseScontrol("slurm_load_jobs error: Invalid job id specified\n"));
        Assert.True(SlurmParsers.IsUnknownJobError("slurm_load_jobs error: Invalid job id specified\n"));
    }

    [Theory]
    [InlineData("PartitionConfig", true)]
    [InlineData("PartitionNodeLimit", true)]
    [InlineData("PartitionTimeLimit", true)]
    [InlineData("AssocMaxJobsLimit", true)]
    [InlineData("QOSMaxCpuPerJobLimit", true)]
    [InlineData("BadConstraints", true)]
    [InlineData("Resources", false)]
    [InlineData("Priority", false)]
    [InlineData("PartitionDown", false)]
    [InlineData("Dependency", false)]
    [InlineData("None", false)]
    public void Some_pending_reasons_never_clear(string reason, bool never) => Assert.Equal(never, SlurmStates.ReasonNeverClears(reason));

    [Theory]
    [InlineData("OUT_OF_MEMORY", "ran out of memory")]
    [InlineData("NODE_FAIL", "one of its nodes failed")]
    [InlineData("CANCELLED", "was cancelled")]
    [InlineData("PREEMPTED", "was preempted")]
    [InlineData("BOOT_FAIL", "failed to boot")]
    [InlineData("DEADLINE", "deadline")]
    [InlineData("REVOKED", "ended in state REVOKED")]
    public void Every_scheduler_end_says_which(string state, string text) => Assert.Contains(text, SlurmStates.Describe("9", state, "0:0"));
}
