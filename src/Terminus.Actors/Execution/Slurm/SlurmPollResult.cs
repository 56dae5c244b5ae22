using Terminus.Core.Slurm;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>The answer of one poll: a state per job id (absent = unknown to every command), and the commands it took.</summary>
public sealed record SlurmPollResult(IReadOnlyDictionary<string, SlurmJobState> States, int Commands, string? Error);
