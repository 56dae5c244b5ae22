using System.CommandLine;
using System.CommandLine.Invocation;
using Terminus.Config.Commands;
using Terminus.Core;
using Terminus.Core.Operator;

namespace Terminus.Config.Cli;

/// <summary>
/// The operator's command line on System.CommandLine: one <c>terminus</c> binary with a subcommand per task (0.7's
/// <c>terminus_config</c> and <c>terminus_datasource_cfg</c> are installed as aliases of <c>config</c> and
/// <c>datasource</c>). Every command and option has help (<c>-h</c>), shell completion comes from <c>terminus completion
/// bash</c>, and a command line that does not parse exits 64 (EX_USAGE) with the command's help, having changed
/// nothing. The commands' own logic lives in <c>Commands/</c>, one class each.
/// </summary>
public static class TerminusCli
{
    public static async Task<int> RunAsync(CommandIo io, IReadOnlyList<string> args)
    {
        var parsed = Build(io).Parse(args.ToArray());
        // Ctrl-C is left to the commands: the interactive config writes nothing before its last answer, and ends at once.
        var output = new InvocationConfiguration { Output = io.Out, Error = io.Out, ProcessTerminationTimeout = null };
        var code = await parsed.InvokeAsync(output);
        return parsed.Action is ParseErrorAction ? ExitCodes.Usage : code;
    }

    /// <summary>For tests and synchronous callers.</summary>
    public static int Run(CommandIo io, IReadOnlyList<string> args) => RunAsync(io, args).GetAwaiter().GetResult();

    public static RootCommand Build(CommandIo io)
    {
        var root = new RootCommand("Terminus: runs the Galactica portal's post-processing jobs on this lab machine. Each command takes -h.");
        foreach (var command in new[]
                 {
                     Config(io), Datasource(io), Check(io), CheckConfig(io), Jobs(io), Status(io), Show(io), Cancel(io), Service(io), Completion(io),
                 })
            root.Subcommands.Add(command);
        // `terminus` alone, or `terminus help`, shows the commands.
        var help = new Command("help", "Show the commands") { Hidden = true };
        help.SetAction(_ => ShowHelp(root, io));
        root.Subcommands.Add(help);
        root.SetAction(_ => ShowHelp(root, io));
        return root;
    }

    private static int ShowHelp(RootCommand root, CommandIo io) =>
        root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = io.Out, Error = io.Out, ProcessTerminationTimeout = null });

    private static Option<string?> Ledger() => new("--ledger") { Description = "the ledger file (default: TERMINUS_LEDGER, or ~/.terminus/ledger/terminus-ledger.db)" };

    private static Option<bool> JsonOutput() => new("--json") { Description = "machine-readable output (JSON)" };

    private static Command Config(CommandIo io)
    {
        var command = new Command("config", "Set up this lab machine: terminus.env, the systemd unit and the password file (0.7's terminus_config). Interactive, with 0.7's prompts, unless --non-interactive.");
        var dotDir = new Option<string?>("--dot-dir") { Description = "the configuration directory (default: TERMINUS_DOT_DIR, or ~/.terminus)" };
        var nonInteractive = new Option<bool>("--non-interactive") { Description = "take the answers from the options or --answers; unset options keep their current value" };
        var createDirs = new Option<bool>("--create-dirs") { Description = "create the data, job and service directories when missing" };
        var execStart = new Option<string?>("--exec-start") { Description = "the systemd unit's ExecStart (default: the installed terminus-daemon)" };
        var answers = new Option<string?>("--answers") { Description = "a file of KEY=value lines (terminus.env keys) with the answers" };
        var values = ConfigCommand.ValueOptions.Select(o => (o.Option, Symbol: new Option<string?>($"--{o.Option}") { Description = $"{o.Help} ({o.Key})" })).ToList();
        command.Options.Add(dotDir);
        command.Options.Add(nonInteractive);
        command.Options.Add(createDirs);
        command.Options.Add(execStart);
        command.Options.Add(answers);
        foreach (var (_, symbol) in values) command.Options.Add(symbol);
        command.SetAction(r => new ConfigCommand(io).Run(r.GetValue(dotDir), r.GetValue(nonInteractive), r.GetValue(createDirs), r.GetValue(execStart),
            r.GetValue(answers), values.Where(v => r.GetValue(v.Symbol) is not null).ToDictionary(v => v.Option, v => r.GetValue(v.Symbol)!)));
        return command;
    }

    private static Command Datasource(CommandIo io)
    {
        var command = new Command("datasource", "Link the simulation snapshots of the portal's datasource JSON file under the data directory (0.7's terminus_datasource_cfg).");
        var file = new Argument<string>("file") { Description = "the datasource definitions (JSON) sent by the portal's admin" };
        var yes = new Option<bool>("--yes") { Description = "replace every snapshot link that points elsewhere now" };
        var no = new Option<bool>("--no") { Description = "keep every snapshot link that points elsewhere now (default: ask, [Y] = replace)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "say what would be done, change nothing" };
        var dataDir = new Option<string?>("--data-dir") { Description = "the data directory (default: TERMINUS_DATA_DIR of the configuration)" };
        command.Arguments.Add(file);
        foreach (var o in new Option[] { yes, no, dryRun, dataDir }) command.Options.Add(o);
        command.SetAction(r => new DatasourceCommand(io).Run(r.GetValue(file)!, r.GetValue(yes), r.GetValue(no), r.GetValue(dryRun), r.GetValue(dataDir)));
        return command;
    }

    private static Command Check(CommandIo io)
    {
        var command = new Command("check", "Check the configuration, directories, containment, sandbox, services, storage, broker, SLURM, ledger and the running daemon, one line each. Exit 1 on any failure.");
        var skipSsh = new Option<bool>("--skip-ssh") { Description = "do not try the storage's SSH alias" };
        var skipBroker = new Option<bool>("--skip-broker") { Description = "do not log in to the broker" };
        command.Options.Add(skipSsh);
        command.Options.Add(skipBroker);
        command.SetAction((r, _) => new CheckCommand(io).RunAsync(r.GetValue(skipSsh), r.GetValue(skipBroker)));
        return command;
    }

    private static Command CheckConfig(CommandIo io)
    {
        var command = new Command("check-config", "Load the configuration alone, as the daemon does, and say what it found. Exit 78 when it is invalid.");
        command.SetAction(_ => new CheckConfigCommand(io).Run());
        return command;
    }

    private static Command Jobs(CommandIo io)
    {
        var command = new Command("jobs", "List the live jobs and those finished recently, from the ledger (read-only, safe while the daemon runs).");
        var since = new Option<TimeSpan?>("--since")
        {
            Description = "finished jobs of this last while: 90s, 30m, 2h, 7d (default 24h)",
            CustomParser = r => DurationText.TryParse(r.Tokens.Single().Value, out var d) ? d : Invalid<TimeSpan>(r, "a duration such as 30m, 2h or 7d"),
        };
        var status = new Option<string[]>("--status") { Description = "only jobs whose last status or phase is this (repeatable): pending, running, success, uploaded, failed, timed_out", AllowMultipleArgumentsPerToken = false };
        status.AcceptOnlyFromAmong("pending", "running", "success", "uploaded", "failed", "timed_out", "packaging", "uploading", "admitted");
        var service = new Option<string?>("--service") { Description = "only jobs of this service" };
        var ledger = Ledger();
        var json = JsonOutput();
        foreach (var o in new Option[] { since, status, service, ledger, json }) command.Options.Add(o);
        command.SetAction(r => new JobsCommand(io).Run("jobs", r.GetValue(ledger), r.GetValue(since) ?? TimeSpan.FromHours(24), r.GetValue(status) ?? [], r.GetValue(service), r.GetValue(json)));
        return command;
    }

    private static Command Status(CommandIo io)
    {
        var command = new Command("status", "The unfinished jobs the daemon holds, from the ledger (read-only); --all adds every finished job it keeps (30 days).");
        var all = new Option<bool>("--all") { Description = "finished jobs too" };
        var ledger = Ledger();
        var json = JsonOutput();
        foreach (var o in new Option[] { all, ledger, json }) command.Options.Add(o);
        command.SetAction(r => new JobsCommand(io).Run("status", r.GetValue(ledger), r.GetValue(all) ? TimeSpan.MaxValue : null, [], null, r.GetValue(json)));
        return command;
    }

    private static Command Show(CommandIo io)
    {
        var command = new Command("show", "One job's history from the ledger: every transition and status with its time, the runner or SLURM job, the time per phase, the outcome, the job's directory. Exit 1 when the ledger knows no such job.");
        var jobId = JobIdArgument();
        var ledger = Ledger();
        var json = JsonOutput();
        command.Arguments.Add(jobId);
        command.Options.Add(ledger);
        command.Options.Add(json);
        command.SetAction(r => new ShowCommand(io).Run(r.GetValue(jobId), r.GetValue(ledger), r.GetValue(json)));
        return command;
    }

    private static Command Cancel(CommandIo io)
    {
        var command = new Command("cancel", "Cancel a job, as the portal's cancel_terminus_job does: it is stopped (its processes, or scancel) and ends failed. Sent through the broker; taken at once by a running daemon, or when it is back. Exit 0 once the broker has it.");
        var jobId = JobIdArgument();
        var reason = new Option<string?>("--reason") { Description = "why, shown to the portal's user in the failed status" };
        command.Arguments.Add(jobId);
        command.Options.Add(reason);
        command.SetAction((r, _) => new CancelCommand(io).RunAsync(r.GetValue(jobId), r.GetValue(reason)));
        return command;
    }

    private static Command Service(CommandIo io)
    {
        var command = new Command("service", "Services: what a lab writes for the portal's users.");
        var create = new Command("new", "Scaffold a new service from 0.7's templates, runnable at once (in test mode it lists the snapshot into out/).");
        var name = new Argument<string>("name") { Description = "the service's name: one directory name of letters, digits, '_', '-', '.'" };
        var type = new Option<string>("--type") { Description = "python or bash", DefaultValueFactory = _ => "python" };
        type.AcceptOnlyFromAmong("python", "bash");
        var interpreter = new Option<string?>("--interpreter") { Description = "the interpreter (default /usr/bin/python3 or /bin/bash)" };
        var serviceDir = new Option<string?>("--service-dir") { Description = "where services are (default: TERMINUS_SERVICE_DIR of the configuration)" };
        create.Arguments.Add(name);
        foreach (var o in new Option[] { type, interpreter, serviceDir }) create.Options.Add(o);
        create.SetAction(r => new ServiceNewCommand(io).Run(r.GetValue(name)!, r.GetValue(type)!, r.GetValue(interpreter), r.GetValue(serviceDir)));
        command.Subcommands.Add(create);
        return command;
    }

    private static Command Completion(CommandIo io)
    {
        var command = new Command("completion", "Print the shell completion script: eval \"$(terminus completion bash)\", or save it in /etc/bash_completion.d/terminus.");
        var shell = new Argument<string>("shell") { Description = "bash" };
        shell.AcceptOnlyFromAmong("bash");
        command.Arguments.Add(shell);
        command.SetAction(_ =>
        {
            io.Out.Write(CompletionScripts.Bash);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<long> JobIdArgument() => new("jobid")
    {
        Description = "the portal's job id",
        CustomParser = r => long.TryParse(r.Tokens.Single().Value, System.Globalization.NumberStyles.None, null, out var id) ? id : Invalid<long>(r, "a job id (a non-negative integer)"),
    };

    private static T Invalid<T>(System.CommandLine.Parsing.ArgumentResult result, string expected) where T : struct
    {
        result.AddError($"'{result.Tokens.Single().Value}' is not {expected}");
        return default;
    }

}
