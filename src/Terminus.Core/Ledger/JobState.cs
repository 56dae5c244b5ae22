using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Core.Ledger;

/// <summary>
/// A job as its journal tells it: phase, validated spec, every status queued and how many the broker confirmed.
/// Pure: the JobActor applies each record as it writes or replays it, and decides from here.
/// </summary>
public sealed class JobState
{
    private readonly List<OutboxEntry> _statuses = new();

    public JobAccepted? Accepted { get; private set; }
    public JobPhase Phase { get; private set; } = JobPhase.Received;
    public JobSpec? Spec { get; private set; }
    public long DeliveredUpTo { get; private set; }
    public bool DirRetired { get; private set; }
    /// <summary>Incarnations started after a crash since the job last made progress (a poison job crashes every time).</summary>
    public int CrashResumesWithoutProgress { get; private set; }

    public IReadOnlyList<OutboxEntry> Statuses => _statuses;
    public IEnumerable<OutboxEntry> Undelivered => _statuses.Where(s => s.Seq > DeliveredUpTo);
    public OutboxEntry? Latest => _statuses.Count > 0 ? _statuses[^1] : null;
    public RunnerLaunched? Launched { get; private set; }

    /// <summary>What the ledger proves about the run's processes (a ledger from before run tokens gets one from its job id).</summary>
    public RunIdentity? Runner => Accepted is not { } a ? null
        : new RunIdentity(a.RunToken ?? $"job-{a.JobId}-run-{a.Run}", Launched?.Pid, Launched?.StartTicks, Launched?.Cgroup);

    public bool TestMode => Spec?.TestMode ?? false;
    public bool IsTerminal => JobLifecycle.IsTerminal(Phase, TestMode);
    /// <summary>The last status number of the job's earlier runs (0 for a first run): this run numbers its own after it.</summary>
    public long SeqBase => Accepted?.SeqBase ?? 0;
    public bool AllDelivered => DeliveredUpTo >= SeqBase + _statuses.Count;

    public void Apply(ILedgerRecord record)
    {
        switch (record)
        {
            case JobAccepted accepted:
                Accepted = accepted;
                DeliveredUpTo = Math.Max(DeliveredUpTo, accepted.SeqBase); // the earlier runs' statuses went out with them
                break;
            case JobMoved moved:
                Phase = moved.To;
                if (moved.SpecJson is not null) Spec = LedgerJson.SpecFromJson(moved.SpecJson);
                if (moved.Status is not null) _statuses.Add(new OutboxEntry(SeqBase + _statuses.Count + 1, moved.Status, moved.Message ?? ""));
                CrashResumesWithoutProgress = 0;
                break;
            case StatusDelivered delivered:
                DeliveredUpTo = Math.Max(DeliveredUpTo, delivered.Seq);
                break;
            case JobResumed resumed:
                if (resumed.AfterCrash) CrashResumesWithoutProgress++;
                break;
            case RunnerLaunched launched:
                Launched = launched;
                break;
            case JobDirRetired:
                DirRetired = true;
                break;
        }
    }
}
