namespace Terminus.Core.Slurm;

/// <summary>What SLURM's state of a job means for Terminus.</summary>
public enum SlurmPhase { Pending, Running, Completed, TimedOut, Failed }
