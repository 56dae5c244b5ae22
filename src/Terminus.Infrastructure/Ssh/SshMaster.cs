using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Ssh;

/// <summary>
/// One persistent ssh connection to the storage alias (OpenSSH's ControlMaster), used by one upload at a time (see
/// <see cref="SshMasterPool"/>): an upload then costs no handshake. The master is the daemon's child, its socket in a
/// 0700 directory under the configuration directory (which no job sees). Before each upload it is checked (alive, socket present); a master that died is
/// started again. When it cannot be started, uploads connect on their own, and the log and <see cref="Fallbacks"/>
/// say so each time; a new start is tried after <see cref="RetryAfter"/>. A master left by a daemon that was killed is
/// told to exit, and its socket removed, before a new one starts.
/// </summary>
public sealed class SshMaster : IAsyncDisposable
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    private readonly string _alias;
    private readonly TimeSpan _ioTimeout;
    private readonly Action<string> _info;
    private readonly Action<string> _warning;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<string> _said = new();
    private Process? _process;
    private DateTime _nextStart = DateTime.MinValue;
    private long _fallbacks;

    /// <param name="runDir">The daemon's private run directory (made 0700 if missing).</param>
    /// <param name="slot">Which of the pool's connections this is (its socket's name ends with it).</param>
    public SshMaster(string alias, string runDir, TimeSpan ioTimeout, Action<string> info, Action<string> warning, int slot = 1)
    {
        _alias = alias;
        _ioTimeout = ioTimeout;
        _info = info;
        _warning = warning;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(alias)))[..12];
        ControlPath = Path.Combine(runDir, $"ssh-{hash}-{slot}");
    }

    public string ControlPath { get; }

    /// <summary>Uploads that connected on their own, as the master was not there.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    /// <summary>The socket to pass to one upload's ssh, or null: connect on your own (counted and logged).</summary>
    public async Task<string?> AcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is { HasExited: false } && File.Exists(ControlPath)) return ControlPath;
            if (_process is not null)
            {
                _warning($"ssh master connection to '{_alias}' ended ({Said()}); starting it again");
                StopProcess();
            }
            if (DateTime.UtcNow >= _nextStart && await StartAsync(cancellationToken).ConfigureAwait(false)) return ControlPath;
            _nextStart = DateTime.UtcNow < _nextStart ? _nextStart : DateTime.UtcNow + RetryAfter;
            var n = Interlocked.Increment(ref _fallbacks);
            _warning($"ssh master connection to '{_alias}' is not up: this upload makes its own ssh handshake ({n} so far)");
            return null;
        }
        finally { _gate.Release(); }
    }

    /// <summary>After an upload through the master failed: asks the master whether it still answers, and drops it if not.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is null) return;
            var check = await RunControlAsync("check", cancellationToken).ConfigureAwait(false);
            if (check.ExitCode == 0) return;
            _warning($"ssh master connection to '{_alias}' does not answer ({check.StdErr.Trim()}); it is dropped and will be started again");
            StopProcess();
        }
        finally { _gate.Release(); }
    }

    private async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        if (SshMasterCommand.ControlPathProblem(ControlPath) is { } problem)
        {
            _warning($"no ssh master connection to '{_alias}': its socket path {problem}");
            _nextStart = DateTime.MaxValue;
            return false;
        }
        var dir = Path.GetDirectoryName(ControlPath)!;
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("ssh connection sharing needs unix sockets");
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(ControlPath))
        {
            // A master of a daemon that was killed: told to exit, its socket removed.
            await RunControlAsync("exit", cancellationToken).ConfigureAwait(false);
            File.Delete(ControlPath);
        }

        lock (_said) _said.Clear();
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--", SshMasterCommand.Program }.Concat(SshMasterCommand.Master(_alias, ControlPath, _ioTimeout))) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.StandardInput.Close();
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;

        // Ready once the master answers through its socket; given up when it exits or its connection timeout passes.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Clamp(_ioTimeout.TotalSeconds / 4, 5, 60) + 5);
        var wait = TimeSpan.FromMilliseconds(5);
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            if (File.Exists(ControlPath) && (await RunControlAsync("check", cancellationToken).ConfigureAwait(false)).ExitCode == 0)
            {
                _info($"ssh master connection to '{_alias}' is up (pid {process.Id}, socket {ControlPath}): uploads share it");
                return true;
            }
            await Task.WhenAny(process.WaitForExitAsync(cancellationToken), Task.Delay(wait, cancellationToken)).ConfigureAwait(false);
            wait = TimeSpan.FromMilliseconds(Math.Min(200, wait.TotalMilliseconds * 2));
        }
        _warning($"ssh master connection to '{_alias}' could not be started ({(process.HasExited ? $"exit code {process.ExitCode}" : "no answer in time")}: {Said()})");
        StopProcess();
        return false;
    }

    private Task<CommandResult> RunControlAsync(string operation, CancellationToken cancellationToken) =>
        BoundedProcess.RunAsync(SshMasterCommand.Program, SshMasterCommand.Control(operation, _alias, ControlPath), TimeSpan.FromSeconds(10),
            cancellationToken: cancellationToken);

    private void Remember(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (_said)
        {
            _said.Enqueue(line.Trim());
            while (_said.Count > 3) _said.Dequeue();
        }
    }

    private string Said()
    {
        lock (_said) return _said.Count == 0 ? "ssh said nothing" : string.Join(" | ", _said);
    }

    private void StopProcess()
    {
        if (_process is null) return;
        try { if (!_process.HasExited) _process.Kill(); }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _process = null;
        try { File.Delete(ControlPath); }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try { StopProcess(); }
        finally { _gate.Release(); }
        _gate.Dispose();
    }
}
