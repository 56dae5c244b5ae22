using System.ComponentModel;
using System.Diagnostics;

namespace Terminus.Infrastructure.Processes;

/// <summary>
/// Runs a short command to its end, bounded in time (a hung controller or ssh must not hang its caller), with no
/// input and its output captured. With <c>environment</c>, the command gets that environment and nothing else.
/// </summary>
public static class BoundedProcess
{
    public static async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
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
