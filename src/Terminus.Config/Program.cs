using Terminus.Config.Cli;
using Terminus.Config.Commands;
using Terminus.Core.Configuration;
using Terminus.Core;

// The operator's command, one binary with subcommands (terminus_config and terminus_datasource_cfg are installed as
// aliases of `terminus config` and `terminus datasource`, for habit).
var io = CommandIo.FromConsole();
var command = args.Length > 0 ? args[0] : "help";
var rest = args.Skip(1).ToList();
switch (command)
{
    case "config":
        return new ConfigCommand(io).Run(rest);
    case "datasource":
        return new DatasourceCommand(io).Run(rest);
    case "check":
        return await new CheckCommand(io).RunAsync(rest);
    case "status":
        return new StatusCommand(io).Run(rest);
    case "cancel":
        // Until the command line moves to System.CommandLine: terminus cancel JOBID [--reason TEXT]
        var cancelArgs = new Terminus.Config.Cli.Arguments(rest, new HashSet<string> { "help" });
        if (cancelArgs.Flag("help") || cancelArgs.Positional.Count != 1 || !long.TryParse(cancelArgs.Positional[0], out var cancelId) || cancelId < 0)
        {
            Console.WriteLine("usage: terminus cancel JOBID [--reason TEXT]");
            return cancelArgs.Flag("help") ? 0 : ExitCodes.Usage;
        }
        return await new CancelCommand(io).RunAsync(cancelId, cancelArgs.Value("reason"));
    case "service":
        return new ServiceNewCommand(io).Run(rest);
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
        return ExitCodes.Config;
    case "help" or "--help" or "-h":
        Console.WriteLine("""
            usage: terminus <command> [options]      (each command takes --help)
              config       set up this lab machine: terminus.env, the systemd unit, the password file (0.7's terminus_config)
              datasource   link simulation snapshots from the portal's JSON file (0.7's terminus_datasource_cfg)
              check        check the configuration, services, storage, broker, SLURM and ledger, one line each
              status       the jobs the daemon knows (read-only)
              service new  scaffold a new service
              check-config the configuration alone, as the daemon loads it
            """);
        return 0;
    default:
        Console.Error.WriteLine($"terminus: unknown command '{command}' (try 'terminus help')");
        return ExitCodes.Usage;
}
