using Terminus.Config.Cli;
using Terminus.Core;
using Terminus.Core.Configuration;

namespace Terminus.Config.Commands;

/// <summary><c>terminus check-config</c>: the configuration alone, loaded as the daemon loads it (notes, errors, a summary).</summary>
public sealed class CheckConfigCommand(CommandIo io)
{
    public int Run()
    {
        var loaded = SettingsLoader.Load(io.Environment, io.Home);
        foreach (var note in loaded.Notes) io.Out.WriteLine($"note: {note}");
        foreach (var error in loaded.Errors) io.Out.WriteLine($"error: {error}");
        if (loaded.Settings is not { } s)
        {
            io.Out.WriteLine($"configuration invalid: {loaded.Errors.Count} problem(s)");
            return ExitCodes.Config;
        }
        io.Out.WriteLine($"ok: host '{s.HostName}', queues {s.JobQueue} and {s.MonitorQueue}, at most {s.MaxConcurrentJobs} concurrent jobs, broker {s.Broker.Describe()}");
        return ExitCodes.Ok;
    }
}
