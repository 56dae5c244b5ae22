using Terminus.Infrastructure.Processes;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>Runs the real tools, each bounded in time (a hung controller must not hang the daemon).</summary>
public sealed class ProcessSlurmCommands(TimeSpan timeout) : ISlurmCommands
{
    private static readonly HashSet<string> Known = ["sbatch", "squeue", "sacct", "scontrol", "scancel"];

    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var result = await BoundedProcess.RunAsync(program, arguments, timeout, workingDirectory, environment, cancellationToken).ConfigureAwait(false);
        var name = Path.GetFileName(program);
        Telemetry.DaemonMetrics.SlurmCommands.WithLabels(Known.Contains(name) ? name : "other",
            result.ExitCode switch { 0 => "ok", 124 => "timeout", 127 => "not_started", _ => "failed" }).Inc();
        return result;
    }
}
