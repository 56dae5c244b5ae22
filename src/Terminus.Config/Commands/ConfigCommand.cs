using System.Globalization;
using Terminus.Config.Cli;
using Terminus.Core.Configuration;
using Terminus.Core.Operator;
using Terminus.Core;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus config</c> (alias <c>terminus_config</c>): 0.7's questions, order and defaults (docs/operations.md, "Install"), reading
/// every current value back from <c>terminus.env</c>; writes <c>terminus.env</c> (in place, a timestamped backup
/// first) and <c>terminus.service</c> for this user, creates the dot dir (0700) and the password file (0600).
/// Nothing is written before "Save configuration ? [Y/n]" is answered yes: an interrupt (Ctrl-C, Ctrl-D) or a
/// refusal leaves every file as it was. <c>--non-interactive</c> takes the answers from flags or an answers file.
/// </summary>
public sealed class ConfigCommand(CommandIo io)
{
    /// <summary>The options of <c>--non-interactive</c> that set a value, each named after its <c>terminus.env</c> key.</summary>
    public static readonly IReadOnlyList<(string Option, string Key, string Help)> ValueOptions =
    [
        ("hostname", "TERMINUS_HOSTNAME", "the Terminus host name (the portal's queues are <host>.terminus_jobs and <host>.monitor)"),
        ("data-dir", "TERMINUS_DATA_DIR", "the raw simulation data directory"),
        ("job-dir", "TERMINUS_JOB_DIR", "where job directories are made"),
        ("service-dir", "TERMINUS_SERVICE_DIR", "where the services are"),
        ("nodes", "TERMINUS_NODES", "job nodes (jobs at once: nodes × concurrency)"),
        ("concurrency", "TERMINUS_CONCURRENCY", "jobs per node"),
        ("ssh-alias", "GALACSTORAGE_SSH_ALIAS", "the ~/.ssh/config alias of the portal's storage"),
        ("slurm", "TERMINUS_USE_SLURM", "run jobs through SLURM: yes or no"),
        ("rabbitmq-user", "RABBITMQ_USERNAME", "the broker's user name"),
        ("rabbitmq-host", "RABBITMQ_HOST", "the broker's host"),
        ("rabbitmq-port", "RABBITMQ_PORT", "the broker's port"),
        ("rabbitmq-vhost", "RABBITMQ_VIRTUAL_HOST", "the broker's virtual host"),
    ];

    /// <param name="given">The values of <see cref="ValueOptions"/> given on the command line, by option name.</param>
    public int Run(string? dotDirOption, bool nonInteractive, bool createDirs, string? execStart, string? answersFile,
        IReadOnlyDictionary<string, string> given)
    {
        var dotDir = io.DotDir(dotDirOption);
        var envPath = SettingsLoader.EnvFileFor(dotDir);
        string? existing;
        try { existing = File.Exists(envPath) ? File.ReadAllText(envPath) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            io.Out.WriteLine($"terminus config: cannot read {envPath}: {e.Message}");
            return ExitCodes.IoError;
        }
        var defaults = OperatorConfig.Defaults(io.Home, System.Net.Dns.GetHostName().Split('.')[0]);
        var current = existing is null ? defaults : OperatorConfig.From(EnvFile.Parse(existing), defaults);

        try
        {
            if (nonInteractive)
            {
                var (config, errors) = FromOptions(current, given, answersFile);
                var missing = new[] { config.DataDir, config.JobDir, config.ServiceDir }.Where(d => !Directory.Exists(d)).ToList();
                if (!createDirs) errors.AddRange(missing.Select(d => $"directory '{d}' does not exist (give --create-dirs to create it)"));
                if (errors.Count > 0)
                {
                    foreach (var e in errors) io.Out.WriteLine($"terminus config: {e}");
                    io.Out.WriteLine("terminus config: nothing was written.");
                    return ExitCodes.Config;
                }
                return Save(config, dotDir, existing, createDirs ? missing : [], execStart);
            }

            io.Out.WriteLine("\n# ~~~~~~~~~~~~~~~~~~~~ Terminus server configuration helper ~~~~~~~~~~~~~~~~~~~~ #");
            io.Out.WriteLine(existing is null ? $"\nNo configuration yet in {dotDir}: the values offered are the defaults.\n"
                : $"\n> 'terminus.env' configuration file found ({envPath}): its values are offered as current values.\n");
            while (true)
            {
                var choice = io.Ask("Select an option :\n - [1] Configure Terminus \n - [2] Quit \n\nYour choice ? : ") ?? throw new CancelledException();
                if (choice.Trim() == "2") { io.Out.WriteLine("\nDone...\n# ~~~ #"); return 0; }
                if (choice.Trim() == "1") break;
                io.Out.WriteLine("Error: Valid choices are [1, 2]");
            }
            var (answers, toCreate) = Ask(current, existing is null);
            io.Out.WriteLine($"\n----------- RabbitMQ configuration completed -------------");
            var (user, group) = UnixAccounts.Current();
            io.Out.WriteLine($"\n> Configured User: {user}\n> Configured Group: {group}\n");
            while (true)
            {
                var save = (io.Ask("Save configuration ? [Y/n]: ") ?? throw new CancelledException()).Trim().ToLowerInvariant();
                if (save is "" or "y" or "yes") return Save(answers, dotDir, existing, toCreate, execStart);
                if (save is "n" or "no") { io.Out.WriteLine("Aborting. Nothing was written."); return 0; }
                io.Out.WriteLine("Invalid option. Please select 'y' or 'n'.");
            }
        }
        catch (CancelledException)
        {
            io.Out.WriteLine("\nCanceled... nothing was written.");
            return 130;
        }
    }

    /// <summary>The questions, in 0.7's order; each answer is checked and asked again until it is valid.</summary>
    private (OperatorConfig Config, List<string> ToCreate) Ask(OperatorConfig c, bool defaults)
    {
        var toCreate = new List<string>();
        var used = defaults ? "\t> Default value used\n" : "\t> Current value used\n";
        string Text(string prompt, string value, Func<string, string?> check, Func<string, string>? normalize = null)
        {
            while (true)
            {
                var answer = (io.Ask($"{prompt} (current '{value}'): ") ?? throw new CancelledException()).Trim();
                if (answer.Length == 0) { io.Out.WriteLine(used); answer = value; }
                answer = normalize?.Invoke(answer) ?? answer;
                if (check(answer) is not { } problem) return answer;
                io.Out.WriteLine($"\tInvalid value '{answer}': {problem}.\n");
            }
        }
        string Dir(string prompt, string value)
        {
            var dir = Text(prompt, value, OperatorChecks.Path, ExpandHome);
            if (Directory.Exists(dir) || toCreate.Contains(dir)) return dir;
            while (true)
            {
                var yes = (io.Ask($"\t> Directory '{dir}' does not exist. Create directory ? (Y/n) : ") ?? throw new CancelledException()).Trim().ToLowerInvariant();
                if (yes is "" or "y" or "yes") { toCreate.Add(dir); io.Out.WriteLine($"\t> '{dir}' will be created when the configuration is saved.\n"); return dir; }
                if (yes is "n" or "no") { io.Out.WriteLine($"\t> Directory '{dir}' does not exist. This directory must be created before launching Terminus !\n"); return dir; }
                io.Out.WriteLine("\tPlease answer 'y' or 'n'.");
            }
        }
        int Count(string prompt, int value)
        {
            while (true)
            {
                var answer = (io.Ask($"{prompt} (current {value}): ") ?? throw new CancelledException()).Trim();
                if (answer.Length == 0) { io.Out.WriteLine(used); return value; }
                if (OperatorChecks.PositiveInt(answer, out var n) is not { } problem) return n;
                io.Out.WriteLine($"\tInvalid value '{answer}': {problem}.\n");
            }
        }
        bool YesNo(string prompt, bool value)
        {
            while (true)
            {
                var answer = (io.Ask($"{prompt} (current {(value ? "Y" : "N")}): ") ?? throw new CancelledException()).Trim().ToLowerInvariant();
                if (answer.Length == 0) { io.Out.WriteLine(used); return value; }
                if (answer is "y" or "yes") return true;
                if (answer is "n" or "no") return false;
                io.Out.WriteLine("\tPlease answer 'y' or 'n'.\n");
            }
        }

        var host = Text("Enter a terminus host name", c.HostName, OperatorChecks.HostName, h => h.ToLowerInvariant());
        var data = Dir("Enter a terminus data directory", c.DataDir);
        var jobs = Dir("Enter a terminus job directory", c.JobDir);
        var services = Dir("Enter a terminus service directory", c.ServiceDir);
        int nodes, concurrency;
        while (true)
        {
            nodes = Count("Enter a terminus number of nodes", c.Nodes);
            concurrency = Count("Enter a terminus number of concurrency/node", c.Concurrency);
            if (OperatorChecks.TotalJobs(nodes, concurrency) is not { } problem) break;
            io.Out.WriteLine($"\t{problem}: give fewer nodes or processes.\n");
        }
        var alias = Text("Enter a Galactica server SSH target name (configured in your local ~/.ssh/config file)", c.SshAlias, OperatorChecks.SshAlias);
        var slurm = YesNo("Use SLURM for job submission ? (Y/n)", c.UseSlurm);
        io.Out.WriteLine("\n------------------ RabbitMQ configuration ---------------\n");
        var user = Text("Enter a rabbitmq username", c.RabbitUser, OperatorChecks.Text);
        var brokerHost = Text("Enter a rabbitmq host, name or IP address", c.RabbitHost, OperatorChecks.BrokerHost);
        var port = Text("Enter a rabbitmq port", c.RabbitPort, OperatorChecks.Port);
        var vhost = Text("Enter a rabbitmq virtual host", c.RabbitVhost, OperatorChecks.Text);
        return (new OperatorConfig(host, data, jobs, services, nodes, concurrency, alias, slurm, user, brokerHost, port, vhost), toCreate);
    }

    /// <summary>Non-interactive: flags win over the answers file, which wins over the current values.</summary>
    private (OperatorConfig Config, List<string> Errors) FromOptions(OperatorConfig c, IReadOnlyDictionary<string, string> given, string? answersFile)
    {
        var errors = new List<string>();
        var file = new Dictionary<string, string>();
        if (answersFile is not null)
        {
            try { file = new Dictionary<string, string>(EnvFile.Parse(File.ReadAllText(answersFile))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { errors.Add($"cannot read the answers file {answersFile}: {e.Message}"); }
        }
        string? Given(string option) => given.GetValueOrDefault(option) ?? file.GetValueOrDefault(ValueOptions.Single(o => o.Option == option).Key);
        string Pick(string option, string value, Func<string, string?> check, Func<string, string>? normalize = null)
        {
            var text = Given(option);
            if (text is null) return value;
            text = normalize?.Invoke(text.Trim()) ?? text.Trim();
            if (check(text) is { } problem) errors.Add($"--{option} '{text}': {problem}");
            return text;
        }
        int PickCount(string option, int value)
        {
            var text = Given(option);
            if (text is null) return value;
            if (OperatorChecks.PositiveInt(text, out var n) is { } problem) { errors.Add($"--{option} '{text}': {problem}"); return value; }
            return n;
        }
        string Dir(string option, string value) => Pick(option, value, OperatorChecks.Path, ExpandHome);

        var slurmText = Given("slurm");
        var slurm = slurmText?.Trim().ToLowerInvariant() switch
        {
            null => c.UseSlurm,
            "yes" or "y" or "1" or "true" => true,
            "no" or "n" or "0" or "false" => false,
            var other => Invalid(other),
        };
        bool Invalid(string other) { errors.Add($"--slurm '{other}': answer yes or no"); return c.UseSlurm; }

        var config = new OperatorConfig(
            Pick("hostname", c.HostName, OperatorChecks.HostName, h => h.ToLowerInvariant()),
            Dir("data-dir", c.DataDir),
            Dir("job-dir", c.JobDir),
            Dir("service-dir", c.ServiceDir),
            PickCount("nodes", c.Nodes),
            PickCount("concurrency", c.Concurrency),
            Pick("ssh-alias", c.SshAlias, OperatorChecks.SshAlias),
            slurm,
            Pick("rabbitmq-user", c.RabbitUser, OperatorChecks.Text),
            Pick("rabbitmq-host", c.RabbitHost, OperatorChecks.BrokerHost),
            Pick("rabbitmq-port", c.RabbitPort, OperatorChecks.Port),
            Pick("rabbitmq-vhost", c.RabbitVhost, OperatorChecks.Text));
        if (OperatorChecks.TotalJobs(config.Nodes, config.Concurrency) is { } total) errors.Add(total);
        foreach (var (name, value) in new[] { ("rabbitmq user", config.RabbitUser), ("rabbitmq host", config.RabbitHost), ("rabbitmq virtual host", config.RabbitVhost) })
            if (value.Length == 0) errors.Add($"the {name} is not set (and has no current value)");
        return (config, errors);
    }

    /// <summary>~ and $HOME are the home directory; a relative path stays relative (and is refused): no guessing from the current directory.</summary>
    private string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("$HOME", StringComparison.Ordinal) || path.StartsWith("${HOME}", StringComparison.Ordinal)
            ? SettingsLoader.ExpandPath(path, io.Home) ?? path
            : Path.IsPathRooted(path) ? Path.GetFullPath(path) : path;

    private int Save(OperatorConfig config, string dotDir, string? existingEnv, IReadOnlyList<string> toCreate, string? execStart)
    {
        try
        {
            CreatePrivateDirectory(dotDir);
            CreatePrivateDirectory(Path.Combine(dotDir, "_secret"));
            foreach (var dir in toCreate)
            {
                Directory.CreateDirectory(dir);
                io.Out.WriteLine($"\t> Successfully created the directory '{dir}'.");
            }

            var values = config.ToEnv(dotDir).ToList();
            if (existingEnv is not null && EnvFile.Parse(existingEnv).ContainsKey("CELERYD_NODES")) values.AddRange(config.CeleryLines());
            var envPath = SettingsLoader.EnvFileFor(dotDir);
            WriteWithBackup(envPath, EnvFileEditor.Apply(existingEnv, values), "terminus.env");

            var (user, group) = UnixAccounts.Current();
            var unitPath = Path.Combine(dotDir, "terminus.service");
            WriteWithBackup(unitPath, SystemdUnit.Render(new UnitOptions(user, group, dotDir, config.JobDir, execStart ?? DefaultExecStart(), config.HostName)),
                "terminus.service");

            var passwordFile = SettingsLoader.PasswordFileFor(dotDir);
            if (!File.Exists(passwordFile))
            {
                File.WriteAllText(passwordFile, SettingsLoader.PasswordPlaceholder + "\n");
                io.Out.WriteLine($"\n> Now add the given RabbitMQ server password in this file: {passwordFile}");
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            io.Out.WriteLine("Terminus configuration file written successfully.");
            io.Out.WriteLine($"Next: `terminus check` checks it; to run under systemd: sudo cp {unitPath} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now terminus");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            io.Out.WriteLine($"Error while writting terminus_config file ! ({e.Message})");
            return ExitCodes.CantCreate;
        }
    }

    /// <summary>Backs the old file up (0.7's name: <c>&lt;file&gt;.dd-mm-YYYY-HH-MM-SS</c>) and replaces it atomically; an unchanged file is left alone.</summary>
    private void WriteWithBackup(string path, string content, string label)
    {
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) == content) { io.Out.WriteLine($"> '{label}' is unchanged."); return; }
            var backup = $"{path}.{DateTime.Now.ToString("dd-MM-yyyy-HH-mm-ss", CultureInfo.InvariantCulture)}";
            for (var i = 2; File.Exists(backup); i++) backup = $"{path}.{DateTime.Now.ToString("dd-MM-yyyy-HH-mm-ss", CultureInfo.InvariantCulture)}.{i}";
            File.Copy(path, backup);
            io.Out.WriteLine($"> '{label}' configuration file found !\n\t> backup to : '{backup}'");
        }
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, File.Exists(path) ? File.GetUnixFileMode(path) : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.Move(temp, path, overwrite: true);
        io.Out.WriteLine($"> wrote {path}");
    }

    private static void CreatePrivateDirectory(string dir)
    {
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The daemon installed next to this tool, run by the dotnet that runs this tool.</summary>
    public static string DefaultExecStart()
    {
        var process = Environment.ProcessPath ?? "";
        var dotnet = Path.GetFileNameWithoutExtension(process) == "dotnet" ? process
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "dotnet")).FirstOrDefault(File.Exists) ?? "/usr/bin/dotnet";
        return $"{dotnet} {Path.Combine(AppContext.BaseDirectory, "terminus-daemon.dll")}";
    }
}
