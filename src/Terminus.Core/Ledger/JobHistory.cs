using Terminus.Core.Jobs;

namespace Terminus.Core.Ledger;

/// <summary>One record of a job's journal as it was written: its number in the journal, when, and the record.</summary>
public sealed record JournalEntry(long JournalSeq, DateTimeOffset WrittenAt, ILedgerRecord Record);

/// <summary>One line of a job's history: when, what, and for a status its number (<c>x-terminus-seq</c>) and run (<c>x-terminus-attempt</c>).</summary>
public sealed record HistoryEvent(DateTimeOffset At, long JournalSeq, string Kind, string What, string? Status = null, long? StatusSeq = null,
    string? Message = null);

/// <summary>One run of a job, from its journal (<c>job-&lt;id&gt;</c>, <c>job-&lt;id&gt;-run-&lt;n&gt;</c>).</summary>
/// <param name="SecondsPerPhase">Time spent in each phase the run left (received, pending, running, …), in order.</param>
/// <param name="Directory">Where the job's directory is, or was moved to; null before validation and once deleted.</param>
public sealed record RunHistory(int Run, string TaskId, string? Service, DateTimeOffset AcceptedAt, string Phase, IReadOnlyList<HistoryEvent> Events,
    IReadOnlyList<KeyValuePair<string, double>> SecondsPerPhase, string? LastStatus, string? LastMessage, long StatusesConfirmedUpTo,
    int? Pid, string? Cgroup, string? SlurmJobId, string? Directory);

/// <summary>
/// A job as the ledger tells it, for <c>terminus show</c>: every run with every transition and status in order, and
/// what the supervisor knows (live or finished, a cancel taken). Built from the records alone: pure.
/// </summary>
public sealed record JobHistory(long JobId, bool Live, JobRetired? Retired, JobCancelRequested? Cancel, IReadOnlyList<RunHistory> Runs)
{
    public static JobHistory Build(long jobId, LedgerState ledger, IReadOnlyList<(int Run, IReadOnlyList<JournalEntry> Entries)> runs, string jobRoot)
    {
        var id = new JobId(jobId);
        var built = runs.Where(r => r.Entries.Count > 0).OrderBy(r => r.Run).Select(r => BuildRun(r.Run, r.Entries, jobRoot)).OfType<RunHistory>().ToList();
        return new JobHistory(jobId, ledger.Live.ContainsKey(id), ledger.Retired.GetValueOrDefault(id), ledger.CancelOf(id), built);
    }

    private static RunHistory? BuildRun(int run, IReadOnlyList<JournalEntry> entries, string jobRoot)
    {
        var state = new JobState();
        var events = new List<HistoryEvent>();
        var phases = new List<KeyValuePair<string, double>>();
        var (phase, since) = (JobPhase.Received, (DateTimeOffset?)null);
        string? slurm = null, moved = null;
        var deleted = false;
        foreach (var (seq, written, record) in entries.OrderBy(e => e.JournalSeq).Select(e => (e.JournalSeq, e.WrittenAt, e.Record)))
        {
            var statusesBefore = state.Statuses.Count;
            state.Apply(record);
            switch (record)
            {
                case JobAccepted a:
                    (phase, since) = (JobPhase.Received, a.At);
                    events.Add(new(a.At, seq, "accepted", $"request accepted (task {a.TaskId}{(a.Poisoned ? ", refused: it crashed the daemon before" : "")})"));
                    break;
                case JobMoved m:
                    if (since is { } s) phases.Add(new(phase.Name(), Math.Max(0, (m.At - s).TotalSeconds)));
                    (phase, since) = (m.To, m.At);
                    var detail = m.Detail is { Length: > 0 } d ? $" ({d})" : "";
                    if (state.Statuses.Count > statusesBefore && state.Latest is { } status)
                        events.Add(new(m.At, seq, "status", $"{m.To.Name()}: status {status.Status} sent{detail}", status.Status, status.Seq, status.Message));
                    else events.Add(new(m.At, seq, "moved", $"{m.To.Name()}{detail}"));
                    break;
                case StatusDelivered delivered:
                    events.Add(new(written, seq, "confirmed", $"the broker confirmed the statuses up to #{delivered.Seq}"));
                    break;
                case RunnerLaunched l:
                    events.Add(new(l.At, seq, "launched", $"runner started: pid {l.Pid}{(l.Cgroup is { } c ? $", cgroup {c}" : "")}"));
                    break;
                case SlurmJobSubmitted submitted:
                    slurm = submitted.SlurmJobId;
                    events.Add(new(submitted.At, seq, "submitted", $"submitted to SLURM as job {submitted.SlurmJobId}"));
                    break;
                case JobResumed resumed:
                    events.Add(new(resumed.At, seq, "resumed", resumed.AfterCrash ? "resumed from the ledger after a crash of the daemon" : "resumed from the ledger after a restart"));
                    break;
                case JobDirRetired dir:
                    if (dir.What.StartsWith("moved ", StringComparison.Ordinal) && dir.What.LastIndexOf(" to ", StringComparison.Ordinal) is var to and > 0)
                        moved = dir.What[(to + 4)..];
                    deleted |= dir.What.StartsWith("deleted ", StringComparison.Ordinal);
                    events.Add(new(dir.At, seq, "directory", dir.What));
                    break;
            }
        }
        if (state.Accepted is not { } accepted) return null;
        string? directory = null;
        if (state.Spec is { } spec && !deleted)
        {
            var paths = JobPaths.For(jobRoot, spec);
            // The directory's fate follows from the job's end (what the daemon did is in its log, not in the ledger).
            directory = moved ?? (!state.IsTerminal ? paths.JobDir
                : JobDirFates.FateOf(state.Phase, state.TestMode) == JobDirFate.Delete ? null
                : $"{paths.FailedDir} (moved there when the job ended; with a time suffix if an earlier run's was there)");
        }
        return new RunHistory(run, accepted.TaskId, state.Spec?.ServiceName, accepted.At, state.Phase.Name(), events, phases,
            state.Latest?.Status, state.Latest?.Message, state.DeliveredUpTo, state.Launched?.Pid, state.Launched?.Cgroup, slurm, directory);
    }
}
