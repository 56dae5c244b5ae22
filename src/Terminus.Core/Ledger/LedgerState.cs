using Terminus.Core.Jobs;

namespace Terminus.Core.Ledger;

/// <summary>
/// The supervisor's view of the ledger: which jobs are live (admitted, not retired), which finished and how (so the
/// same request sent again gets its final status again instead of a second run, while a new request for the job runs
/// it again, its statuses numbered on from the last run's), how often a request's admission was lost to a crash, and
/// whether the previous run of the daemon ended cleanly. Pure.
/// </summary>
public sealed class LedgerState
{
    private readonly Dictionary<JobId, LiveJob> _live = new();
    private readonly Dictionary<JobId, JobRetired> _retired = new();
    private readonly Dictionary<string, int> _abandoned = new(StringComparer.Ordinal);
    private readonly Dictionary<JobId, JobCancelRequested> _cancels = new();

    /// <summary>Admitted and not retired: the task id of the request that runs and which run of the job it is.</summary>
    public IReadOnlyDictionary<JobId, LiveJob> Live => _live;
    public IReadOnlyDictionary<JobId, JobRetired> Retired => _retired;
    /// <summary>True while a daemon run has started and not stopped cleanly: seen at start, it means the last one crashed.</summary>
    public bool RunOpen { get; private set; }

    public int AbandonedAdmissions(string taskId) => _abandoned.GetValueOrDefault(taskId);

    /// <summary>Cancels taken and not yet spent: for live jobs, and for jobs whose request has not come yet.</summary>
    public IReadOnlyDictionary<JobId, JobCancelRequested> Cancels => _cancels;

    public JobCancelRequested? CancelOf(JobId id) => _cancels.GetValueOrDefault(id);

    public void Apply(ILedgerRecord record)
    {
        switch (record)
        {
            case DaemonStarted:
                RunOpen = true;
                break;
            case DaemonStopped:
                RunOpen = false;
                break;
            case JobAdmitted admitted:
                _live[new JobId(admitted.JobId)] = new LiveJob(admitted.JobId, admitted.TaskId, admitted.Run);
                break;
            case JobAbandoned abandoned:
                _live.Remove(new JobId(abandoned.JobId));
                _abandoned[abandoned.TaskId] = _abandoned.GetValueOrDefault(abandoned.TaskId) + 1;
                break;
            case JobRetired retired:
                _live.Remove(new JobId(retired.JobId));
                _retired[new JobId(retired.JobId)] = retired;
                _abandoned.Remove(retired.TaskId);
                _cancels.Remove(new JobId(retired.JobId)); // spent: a later request for the job runs as any other
                break;
            case JobCancelRequested cancel:
                _cancels[new JobId(cancel.JobId)] = cancel;
                break;
            case LedgerSnapshot snapshot:
                _live.Clear();
                _retired.Clear();
                _abandoned.Clear();
                foreach (var l in snapshot.Live) _live[new JobId(l.JobId)] = l;
                foreach (var r in snapshot.Retired) _retired[new JobId(r.JobId)] = r;
                foreach (var (k, v) in snapshot.Abandoned) _abandoned[k] = v;
                _cancels.Clear();
                foreach (var c in snapshot.Cancels ?? []) _cancels[new JobId(c.JobId)] = c;
                RunOpen = snapshot.RunOpen;
                break;
        }
    }

    /// <summary>What a request for <paramref name="id"/> with Celery task id <paramref name="taskId"/> becomes.</summary>
    public RequestDecision Decide(JobId id, string taskId)
    {
        if (_live.TryGetValue(id, out var live))
            return live.TaskId == taskId ? new RequestDecision.JoinLive() : new RequestDecision.RefuseWhileLive(live);
        if (_retired.TryGetValue(id, out var retired))
            return retired.TaskId == taskId ? new RequestDecision.ResendFinal(retired) : new RequestDecision.Admit(retired.Run + 1, retired.Seq);
        return new RequestDecision.Admit(1, 0);
    }

    /// <summary>What a cancel for <paramref name="id"/> does, from what the ledger knows of the job.</summary>
    public CancelDecision DecideCancel(JobId id) =>
        _cancels.ContainsKey(id) ? CancelDecision.AlreadyTaken
        : _live.ContainsKey(id) ? CancelDecision.StopLive
        : _retired.ContainsKey(id) ? CancelDecision.AlreadyFinished
        : CancelDecision.AwaitRequest;

    /// <summary>The state to save, keeping finished jobs for <paramref name="retention"/> (a request re-sent later runs anew).</summary>
    public LedgerSnapshot ToSnapshot(DateTimeOffset now, TimeSpan retention, int maxRetired) =>
        new(_live.Values.OrderBy(l => l.JobId).ToList(),
            _retired.Values.Where(r => now - r.At <= retention).OrderByDescending(r => r.At).Take(maxRetired).OrderBy(r => r.JobId).ToList(),
            new Dictionary<string, int>(_abandoned),
            RunOpen,
            // A cancel for a live job stays; one for a request that never came is forgotten like a retired job.
            _cancels.Values.Where(c => _live.ContainsKey(new JobId(c.JobId)) || now - c.At <= retention).OrderBy(c => c.JobId).ToList());
}
