namespace Terminus.Core.Jobs;

/// <summary>Which of the <see cref="JobTimeouts"/> bounds a phase's step, if any.</summary>
public enum StepDeadline
{
    None,
    /// <summary>Until the service really starts (a SLURM job may wait in the queue for days).</summary>
    RunStart,
    /// <summary>The service's own time limit (<c>timout_mn</c>) plus a grace period, counted from its start.</summary>
    RunLimit,
    Package,
    Upload,
}
