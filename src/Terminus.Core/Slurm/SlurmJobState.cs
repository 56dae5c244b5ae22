namespace Terminus.Core.Slurm;

/// <summary>One job as a SLURM command reported it: id, state (e.g. <c>RUNNING</c>, <c>CANCELLED by 0</c>), reason, exit code.</summary>
public sealed record SlurmJobState(string JobId, string State, string Reason = "", string ExitCode = "")
{
    /// <summary>The state's first word, without sacct's truncation mark (<c>CANCELLED+</c>, <c>CANCELLED by 0</c> → <c>CANCELLED</c>).</summary>
    public string BaseState => State.Split(' ', 2)[0].TrimEnd('+').ToUpperInvariant();

    public SlurmPhase Phase => SlurmStates.Classify(BaseState);
}
