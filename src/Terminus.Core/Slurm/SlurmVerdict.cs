using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Core.Slurm;

/// <summary>
/// Decides a SLURM job's outcome, or null to keep waiting. SLURM's own ends (time limit, cancel, out of memory,
/// node failure, ...) win over what the runner wrote (a cancel arrives as SIGTERM, which the runner takes for a
/// time limit); for a service failure the runner's message is kept; success needs the runner's exit record; a job
/// no command knows is never a success: it is waited for until its deadline, then reported lost.
/// </summary>
public static class SlurmVerdict
{
    public static StepOutcome? Decide(string slurmId, SlurmObservation o)
    {
        var finalRecord = o.Run.Exit is not null || o.Run.Events.Any(e => RunnerStatus.IsFinal(e.Status));
        switch (o.State?.Phase)
        {
            case SlurmPhase.Pending or SlurmPhase.Running:
                return null;
            case SlurmPhase.TimedOut:
                return new StepOutcome.TimedOut($"SLURM stopped job {slurmId} at its time limit of {o.Run.TimeLimitMinutes} min");
            case SlurmPhase.Failed:
                var state = o.State!;
                if (state.BaseState == "FAILED" && finalRecord && RunVerdict.Decide(o.Run) is StepOutcome.Failed serviceFailure)
                    return serviceFailure with { Detail = $"SLURM job {slurmId} FAILED ({state.ExitCode}); {serviceFailure.Detail}" };
                if (o.Run.Events.Count == 0 && state.ExitCode.Split(':')[0] == SlurmSandboxScript.Unavailable.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    return new StepOutcome.Failed(StatusTexts.StoppedWithError($"the SLURM job {slurmId} was not run: its node cannot sandbox it and TERMINUS_SANDBOX=on"),
                        $"SLURM state {state.State}, exit code {state.ExitCode}: the batch script found no working bwrap on the node (see out/job.log)");
                return new StepOutcome.Failed(StatusTexts.StoppedWithError(SlurmStates.Describe(slurmId, state.BaseState, state.ExitCode)),
                    $"SLURM state {state.State}, exit code {state.ExitCode}");
            case SlurmPhase.Completed:
                return finalRecord || o.ExitRecordGracePassed ? RunVerdict.Decide(o.Run) : null;
            default: // unknown to every command
                if (finalRecord) return RunVerdict.Decide(o.Run);
                return o.LostDeadlinePassed
                    ? new StepOutcome.Failed(StatusTexts.StoppedWithError($"the SLURM job {slurmId} was lost: the scheduler no longer knows it and it left no result"),
                        "not in squeue, sacct or scontrol after its time limit and grace period")
                    : null;
        }
    }
}
