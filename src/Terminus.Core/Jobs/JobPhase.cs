namespace Terminus.Core.Jobs;

/// <summary>Where a job is in its life. Terminal phases end it; each maps to one wire status.</summary>
public enum JobPhase
{
    Received,
    Pending,
    Running,
    Succeeded,
    Packaging,
    Uploading,
    Uploaded,
    Failed,
    TimedOut,
}

/// <summary>The allowed transitions of a job, as pure data, so every actor and test agrees on them.</summary>
public static class JobLifecycle
{
    private static readonly IReadOnlyDictionary<JobPhase, JobPhase[]> Next = new Dictionary<JobPhase, JobPhase[]>
    {
        [JobPhase.Received] = [JobPhase.Pending, JobPhase.Failed],
        [JobPhase.Pending] = [JobPhase.Running, JobPhase.Failed, JobPhase.TimedOut],
        [JobPhase.Running] = [JobPhase.Succeeded, JobPhase.Failed, JobPhase.TimedOut],
        // Succeeded is terminal in test mode; otherwise the results are packaged and uploaded.
        [JobPhase.Succeeded] = [JobPhase.Packaging, JobPhase.Failed],
        [JobPhase.Packaging] = [JobPhase.Uploading, JobPhase.Failed],
        [JobPhase.Uploading] = [JobPhase.Uploaded, JobPhase.Failed],
        [JobPhase.Uploaded] = [],
        [JobPhase.Failed] = [],
        [JobPhase.TimedOut] = [],
    };

    public static bool CanMove(JobPhase from, JobPhase to) => Next[from].Contains(to);

    public static bool IsTerminal(JobPhase phase, bool testMode) =>
        phase is JobPhase.Uploaded or JobPhase.Failed or JobPhase.TimedOut || (testMode && phase == JobPhase.Succeeded);

    /// <summary>The wire status a phase is reported with, or null for internal phases that send nothing.</summary>
    public static string? WireStatus(JobPhase phase) => phase switch
    {
        JobPhase.Pending => JobStatuses.Pending,
        JobPhase.Running => JobStatuses.Running,
        JobPhase.Succeeded => JobStatuses.Success,
        JobPhase.Uploaded => JobStatuses.Uploaded,
        JobPhase.Failed => JobStatuses.Failed,
        JobPhase.TimedOut => JobStatuses.TimedOut,
        _ => null,
    };

    /// <summary>True for the statuses after which the portal must hear nothing more about the job.</summary>
    public static bool IsTerminalStatus(string status, bool testMode) =>
        status is JobStatuses.Uploaded or JobStatuses.Failed or JobStatuses.TimedOut || (testMode && status == JobStatuses.Success);
}
