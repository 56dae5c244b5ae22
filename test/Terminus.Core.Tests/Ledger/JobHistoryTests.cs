using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Core.Tests.Execution;

namespace Terminus.Core.Tests.Ledger;

public sealed class JobHistoryTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static JournalEntry E(long seq, double seconds, ILedgerRecord record) => new(seq, At.AddSeconds(seconds), record);

    private static IReadOnlyList<JournalEntry> Run(JobPhase end, bool test, string? slurm = null)
    {
        var spec = RunnerRequestTests.Spec() with { TestMode = test };
        var entries = new List<JournalEntry>
        {
            E(1, 0, new JobAccepted(spec.JobId.Value, "t1", "t1", "{}", At, false)),
            E(2, 0.5, new JobMoved(JobPhase.Pending, "pending", StatusTexts.Submitted, null, LedgerJson.SpecToJson(spec), At.AddSeconds(0.5))),
        };
        if (slurm is not null) entries.Add(E(3, 0.7, new SlurmJobSubmitted(slurm, At.AddSeconds(0.7))));
        entries.Add(E(4, 2.5, new JobMoved(end, end == JobPhase.Failed ? "failed" : "success", "done", "why", null, At.AddSeconds(2.5))));
        return entries;
    }

    [Fact]
    public void A_run_tells_its_statuses_with_their_numbers_the_time_per_phase_and_its_slurm_job()
    {
        var history = JobHistory.Build(123, new LedgerState(), [(1, Run(JobPhase.Failed, test: false, slurm: "57"))], "/jobs");
        var run = Assert.Single(history.Runs);
        Assert.Equal(["accepted", "status", "submitted", "status"], run.Events.Select(e => e.Kind));
        Assert.Equal("failed: status failed sent (why)", run.Events[^1].What);
        Assert.Equal(2L, run.Events[^1].StatusSeq);
        Assert.Equal([("received", 0.5), ("pending", 2.0)], run.SecondsPerPhase.Select(p => (p.Key, p.Value)));
        Assert.Equal(("57", "failed", "done"), (run.SlurmJobId, run.LastStatus, run.LastMessage));
    }

    [Theory]
    [InlineData(JobPhase.Failed, false, "/jobs/__failed/123_density_map (moved there when the job ended")]
    [InlineData(JobPhase.Succeeded, true, null)] // a test run's directory is deleted
    [InlineData(JobPhase.Succeeded, false, "/jobs/123_density_map")] // not over yet: it is still there
    public void The_job_directory_is_where_its_end_left_it(JobPhase end, bool test, string? directory)
    {
        var run = JobHistory.Build(123, new LedgerState(), [(1, Run(end, test))], "/jobs").Runs.Single();
        if (directory is null) Assert.Null(run.Directory);
        else Assert.StartsWith(directory, run.Directory);
    }
}
