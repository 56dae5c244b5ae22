namespace Terminus.Core.Jobs;

/// <summary>Who asked for a cancel: the portal (its <c>cancel_terminus_job</c> task) or the lab's operator (<c>terminus cancel</c>).</summary>
public enum CancelledBy
{
    Portal,
    Operator,
}

/// <summary>A request to cancel a job, from the wire or the operator. <paramref name="Reason"/> is one printable line, or null.</summary>
public sealed record CancelRequest(JobId JobId, CancelledBy By, string? Reason)
{
    /// <summary>"the portal" or "the operator", with the reason: for logs and the job's status text.</summary>
    public string Who => By == CancelledBy.Operator ? "the lab's operator" : "the portal";

    /// <summary>The ledger's spelling of <see cref="By"/> (stable across versions).</summary>
    public string ByName => By == CancelledBy.Operator ? "operator" : "portal";

    public static CancelledBy ParseBy(string? name) => name == "operator" ? CancelledBy.Operator : CancelledBy.Portal;
}
