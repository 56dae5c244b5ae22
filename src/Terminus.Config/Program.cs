using Terminus.Core.Configuration;

// The operator's command. For now: `terminus check-config` validates the daemon's configuration exactly as the
// daemon will load it, without starting anything. More subcommands (config, datasource, check, status) follow.
var command = args.Length > 0 ? args[0] : "help";
switch (command)
{
    case "check-config":
        var loaded = SettingsLoader.LoadFromProcess();
        foreach (var note in loaded.Notes) Console.WriteLine($"note: {note}");
        foreach (var error in loaded.Errors) Console.WriteLine($"error: {error}");
        if (loaded.IsValid)
        {
            var s = loaded.Settings!;
            Console.WriteLine($"ok: host '{s.HostName}', queues {s.JobQueue} and {s.MonitorQueue}, at most {s.MaxConcurrentJobs} concurrent jobs, broker {s.Broker.Describe()}");
            return 0;
        }
        Console.WriteLine($"configuration invalid: {loaded.Errors.Count} problem(s)");
        return 78;
    case "help" or "--help" or "-h":
        Console.WriteLine("usage: terminus check-config   validate the daemon's configuration (environment, then ~/.terminus/terminus.env)");
        return 0;
    default:
        Console.Error.WriteLine($"terminus: unknown command '{command}' (try 'terminus help')");
        return 64;
}
