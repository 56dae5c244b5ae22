namespace Terminus.Core.Execution;

/// <summary>The status values the runner writes (0.7's <c>job_status.json</c> values, "timed out" with a space).</summary>
public static class RunnerStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string TimedOut = "timed out";

    public static bool IsFinal(string status) => status is Completed or Failed or TimedOut;
}
