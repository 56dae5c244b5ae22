using System.ComponentModel;
using System.Diagnostics;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>The output of one scheduler command; exit code 127 when it could not be started.</summary>
public sealed record CommandResult(int ExitCode, string StdOut, string StdErr);

/// <summary>SLURM's command-line tools (sbatch, squeue, sacct, scontrol, scancel); faked in simulations.</summary>
public interface ISlurmCommands
{
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default);
}

/// <summary>Runs the real tools, each bounded in time (a hung controller must not hang the daemon).</summary>
public sealed class ProcessSlurmCommands(TimeSpan timeout) : ISlurmCommands
{
    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            psi.Environment.Clear();
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        }
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start"); }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return new CommandResult(127, "", $"{program}: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                if (cancellationToken.IsCancellationRequested) throw;
                return new CommandResult(124, "", $"{program} did not answer within {timeout.TotalSeconds:0} s");
            }
            return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
