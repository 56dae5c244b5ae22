namespace Terminus.Core.Slurm;

public static class SlurmStates
{
    public static SlurmPhase Classify(string baseState) => baseState switch
    {
        "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "CONFIGURING" or "RESIZING" => SlurmPhase.Pending,
        "RUNNING" or "COMPLETING" or "STAGE_OUT" or "SIGNALING" or "SUSPENDED" or "STOPPED" => SlurmPhase.Running,
        "COMPLETED" => SlurmPhase.Completed,
        "TIMEOUT" => SlurmPhase.TimedOut,
        _ => SlurmPhase.Failed, // FAILED, CANCELLED, OUT_OF_MEMORY, NODE_FAIL, BOOT_FAIL, DEADLINE, PREEMPTED, REVOKED, SPECIAL_EXIT, …
    };

    /// <summary>The user-facing reason of a SLURM end that is not the service's own doing.</summary>
    public static string Describe(string jobId, string baseState, string exitCode) => baseState switch
    {
        "CANCELLED" => $"the SLURM job {jobId} was cancelled",
        "OUT_OF_MEMORY" => $"the SLURM job {jobId} ran out of memory",
        "NODE_FAIL" => $"the SLURM job {jobId} failed because one of its nodes failed",
        "BOOT_FAIL" => $"the SLURM job {jobId} failed because a node failed to boot",
        "DEADLINE" => $"the SLURM job {jobId} reached its deadline",
        "PREEMPTED" => $"the SLURM job {jobId} was preempted",
        "FAILED" => $"the SLURM job {jobId} failed" + (exitCode.Length > 0 ? $" (exit code {exitCode})" : ""),
        _ => $"the SLURM job {jobId} ended in state {baseState}",
    };

    /// <summary>
    /// Pending reasons that will not clear by waiting: the request itself exceeds a partition, association or QOS
    /// limit, or names something that does not exist. (Resources, Priority, Dependency, ... do clear.)
    /// </summary>
    public static bool ReasonNeverClears(string reason) =>
        reason.StartsWith("Partition", StringComparison.Ordinal) && reason != "PartitionDown" && reason != "PartitionInactive"
        || reason.StartsWith("AssocMax", StringComparison.Ordinal) || reason.StartsWith("QOSMax", StringComparison.Ordinal)
        || reason is "BadConstraints" or "InvalidAccount" or "InvalidQOS" or "AccountNotAllowed" or "QOSNotAllowed"
            or "ReqNodeNotAvail" or "JobHeldAdmin" or "DependencyNeverSatisfied" or "InactiveLimit";
}
