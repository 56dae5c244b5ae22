using Terminus.Config.Cli;
using Terminus.Core;
using Terminus.Core.Configuration;
using Terminus.Infrastructure.Processes;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus cancel JOBID [--reason TEXT]</c>: the operator's cancel. The daemon's binary publishes it as the portal
/// would (<c>cancel_terminus_job</c>, with the daemon's own broker settings) while a daemon consumes the monitor queue,
/// else leaves it in the daemon's cancel inbox (<c>CancelPublisher</c>); either way the daemon records it in its ledger.
/// </summary>
public sealed class CancelCommand(CommandIo io)
{
    public async Task<int> RunAsync(long jobId, string? reason)
    {
        var loaded = SettingsLoader.Load(io.Environment, io.Home);
        if (loaded.Settings is null)
        {
            foreach (var error in loaded.Errors) io.Out.WriteLine($"terminus cancel: configuration error: {error}");
            return ExitCodes.Config;
        }
        if (DaemonBinary.Locate(io.Environment) is not { } daemon)
        {
            io.Out.WriteLine("terminus cancel: the daemon's binary (terminus-daemon), which publishes the cancel, was found neither beside this command nor on PATH (set TERMINUS_DAEMON)");
            return ExitCodes.Unavailable;
        }
        var environment = io.Environment.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
        environment["HOME"] = io.Home;
        string[] args = [.. daemon.Arguments, "--cancel-job", jobId.ToString(System.Globalization.CultureInfo.InvariantCulture), .. reason is null ? Array.Empty<string>() : [reason]];
        var r = await BoundedProcess.RunAsync(daemon.Program, args, TimeSpan.FromSeconds(60), environment: environment);
        io.Out.Write(r.StdOut);
        if (r.ExitCode != 0 && r.StdErr.Trim() is { Length: > 0 } err) io.Out.WriteLine(err);
        return r.ExitCode == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
