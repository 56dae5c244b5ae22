using System.Diagnostics;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>The real daemon binary (terminus-daemon.dll, built next to the tests) as an operator starts it.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;
    private readonly object _gate = new();
    private Task _pumps = Task.CompletedTask;

    private DaemonProcess(Process process, string log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Output { get { lock (_gate) return File.Exists(_log) ? File.ReadAllText(_log) : ""; } }

    /// <param name="asUser">An unprivileged account to run it as (through setpriv, which keeps the pid), or null for ours.</param>
    /// <param name="prefix">A command that runs it (e.g. in a user namespace of its own; its pid is then the prefix's), or null.</param>
    public static DaemonProcess Start(IDictionary<string, string> environment, string logFile, string? asUser = null, IReadOnlyList<string>? prefix = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "terminus-daemon.dll");
        string[] setpriv = asUser is null ? [] : ["setpriv", $"--reuid={asUser}", $"--regid={asUser}", "--clear-groups"];
        IReadOnlyList<string> command = [.. prefix ?? [], .. setpriv, "dotnet"];
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(dll);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("TERMINUS_") || k.StartsWith("RABBITMQ_")).ToList())
            psi.Environment.Remove(key);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var daemon = new DaemonProcess(Process.Start(psi)!, logFile);
        daemon._pumps = Task.WhenAll(daemon.PumpAsync(daemon._process.StandardOutput), daemon.PumpAsync(daemon._process.StandardError));
        return daemon;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
            lock (_gate) File.AppendAllText(_log, line + "\n");
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the daemon exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the daemon did not print '{text}' within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        // Its last lines may still be on their way through the pipes: the output is whole once both reach their end
        // (bounded: a process the daemon started could in principle still hold a pipe open).
        await Task.WhenAny(_pumps, Task.Delay(TimeSpan.FromSeconds(10)));
        return _process.ExitCode;
    }

    public void Terminate() => ProcessRunner.Signal(_process.Id, ProcessRunner.SigTerm);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
