using Terminus.Actors.Execution;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Actors.Housekeeping;

/// <summary>The daemon's chores, each run by a <see cref="ChoreActor"/>.</summary>
public static class Chores
{
    /// <summary>Deletes what failed jobs left in <c>__failed/</c> longer ago than TERMINUS_FAILED_RETAIN_DAYS.</summary>
    public static Func<DateTime, ChoreOutcome> PruneFailedJobs(string failedDir, TimeSpan keep) => now =>
    {
        var (deleted, problems) = JobDirectories.PruneFailed(failedDir, keep, now);
        return new ChoreOutcome(
            deleted.Select(path => $"Deleted {path}: kept in __failed/ for {keep.TotalDays} days (TERMINUS_FAILED_RETAIN_DAYS)").ToList(),
            problems.Select(problem => $"Could not delete from __failed/: {problem}").ToList());
    };

    /// <summary>Forgets the history of each retired job (its journal, kept for <c>terminus show</c>) once it is older than <paramref name="keep"/>.</summary>
    public static Func<DateTime, ChoreOutcome> CompactLedger(string ledgerPath, TimeSpan keep) => now =>
    {
        try
        {
            var forgotten = LedgerCompaction.ForgetRetiredJournals(ledgerPath, now - keep);
            return new ChoreOutcome(forgotten > 0 ? [$"Job ledger: forgot {forgotten} job run(s) retired more than {keep.TotalDays} days ago"] : [], []);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            return new ChoreOutcome([], [$"Job ledger: retired jobs could not be forgotten: {e.Message}"]);
        }
    };
}
