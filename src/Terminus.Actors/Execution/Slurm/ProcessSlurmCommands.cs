using Terminus.Infrastructure.Processes;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>Runs the real tools, each bounded in time (a hung controller must not hang the daemon).</summary>
public sealed class ProcessSlurmCommands(TimeSpan timeout) : ISlurmCommands
{
    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        BoundedProcess.RunAsync(program, arguments, timeout, workingDirectory, environment, cancellationToken);
}
