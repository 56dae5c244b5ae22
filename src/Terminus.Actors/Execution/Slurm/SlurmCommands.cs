using Terminus.Infrastructure.Processes;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>SLURM's command-line tools (sbatch, squeue, sacct, scontrol, scancel); faked in simulations.</summary>
public interface ISlurmCommands
{
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default);
}
