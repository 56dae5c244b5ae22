namespace Terminus.Core.Jobs;

/// <summary>The status strings the portal keys on (0.7 <c>commons.py</c>), exactly.</summary>
public static class JobStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Success = "success";
    public const string Uploaded = "uploaded";
}
