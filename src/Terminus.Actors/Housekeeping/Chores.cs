using Akka.Actor;
using Terminus.Actors.Execution;
using Terminus.Actors.Jobs;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Ledger;
using Terminus.Infrastructure.Operator;

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

    /// <summary>How often the cancel inbox is looked at: an operator's cancel left there is taken within this.</summary>
    public static readonly TimeSpan CancelInboxInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Takes each operator's cancel left in the <paramref name="inbox"/> to the supervisor, and deletes its note once the
    /// supervisor says the cancel is in the ledger; a note the supervisor did not answer for stays for the next round.
    /// </summary>
    public static Func<DateTime, Task<ChoreOutcome>> TakeCancelNotes(CancelInbox inbox, IActorRef supervisor, TimeSpan answerTimeout) => async _ =>
    {
        var done = new List<string>();
        var problems = new List<string>();
        foreach (var note in inbox.Waiting())
        {
            try
            {
                var text = await File.ReadAllTextAsync(note).ConfigureAwait(false);
                switch (CancelNote.Read(text))
                {
                    case CancelBinding.Usable { Request: var request }:
                        var taken = await supervisor.Ask<CancelTaken>(new CancelJob(request), answerTimeout).ConfigureAwait(false);
                        // A newer note for the same job, written meanwhile, stays for the next round.
                        if (await File.ReadAllTextAsync(note).ConfigureAwait(false) == text) File.Delete(note);
                        done.Add($"Job #{request.JobId}: the lab's operator's cancel taken from {note} ({taken.Decision})");
                        break;
                    case CancelBinding.Unusable { Reason: var reason }:
                        CancelInbox.SetAside(note);
                        problems.Add($"Cancel note {note} names no job ({reason}): set aside as {Path.GetFileName(note)}.bad");
                        break;
                }
            }
            catch (FileNotFoundException) { } // taken by a round before, or replaced under it
            catch (Exception e)
            {
                problems.Add($"Cancel note {note} not taken yet ({e.GetBaseException().Message}); trying again in {CancelInboxInterval.TotalSeconds:0} s");
            }
        }
        return new ChoreOutcome(done, problems);
    };
}
