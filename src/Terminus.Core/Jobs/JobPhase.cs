namespace Terminus.Core.Jobs;

/// <summary>
/// Where a job is in its life. What each phase does, reports and leads to is in one table:
/// <see cref="JobLifecycle"/>. Terminal phases end the job; each phase maps to at most one wire status.
/// </summary>
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

public static class JobPhaseNames
{
    /// <summary>A phase as the operator reads it, in <c>terminus show</c> and the metrics' labels: <c>running</c>, <c>timed_out</c>.</summary>
    public static string Name(this JobPhase phase) => phase == JobPhase.TimedOut ? "timed_out" : phase.ToString().ToLowerInvariant();
}
