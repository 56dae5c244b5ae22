using Terminus.Core.Execution;

namespace Terminus.Core.Slurm;

/// <summary>What is known of a SLURM job at one poll.</summary>
/// <param name="State">SLURM's answer, or null when no command knows the job (any more).</param>
/// <param name="Run">The runner's records in the job directory (its exit record is the only proof of success).</param>
/// <param name="LostDeadlinePassed">The job is unknown and its time limit plus a grace period is over.</param>
/// <param name="ExitRecordGracePassed">SLURM says the job ended a while ago, long enough for its exit record to show.</param>
public sealed record SlurmObservation(SlurmJobState? State, RunObservation Run, bool LostDeadlinePassed, bool ExitRecordGracePassed);
