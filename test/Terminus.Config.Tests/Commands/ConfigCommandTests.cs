using Terminus.Config.Cli;
using System.Text.RegularExpressions;
using Terminus.Config.Commands;
using Terminus.Core.Configuration;

namespace Terminus.Config.Tests.Commands;

public sealed class ConfigCommandTests : IDisposable
{
    private readonly OperatorHome _home = new();
    private const string ExecStart = "/usr/bin/dotnet /opt/terminus/lib/terminus-daemon.dll";

    public void Dispose() => _home.Dispose();

    private (int Code, string Output) Config(params string[] input) =>
        _home.Run(io => TerminusCli.Run(io, ["config", "--exec-start", ExecStart]), input);

    /// <summary>Menu 1, then the 13 answers in 0.7's order, then "save".</summary>
    private string[] Answers(string host = "anais", string data = "", string jobs = "", string services = "", string nodes = "", string concurrency = "",
        string alias = "", string slurm = "", string user = "terminus_anais", string rabbit = "rabbit.lab.example.org", string port = "5672", string vhost = "galactica") =>
        ["1", host, data, jobs, services, nodes, concurrency, alias, slurm, user, rabbit, port, vhost, ""];

    /// <summary>terminus.env.&lt;timestamp&gt; files (a glob "terminus.env.*" would also match terminus.env itself).</summary>
    private string[] Backups() => Directory.GetFiles(_home.DotDir).Where(f => Path.GetFileName(f).StartsWith("terminus.env.", StringComparison.Ordinal)).ToArray();

    private string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Commands", "Golden", name)).Replace("<HOME>", _home.Home);

    [Fact]
    public void A_first_configuration_writes_terminus_env_the_unit_and_the_password_file_with_private_modes()
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        var (code, output) = Config(Answers(data: _home.Dir("data"), jobs: _home.Dir("jobs"), services: _home.Dir("services"), nodes: "4", concurrency: "3"));

        Assert.Equal(0, code);
        Assert.Contains("Terminus configuration file written successfully.", output);
        Assert.Equal(Golden("new.terminus.env"), File.ReadAllText(_home.EnvFile));
        Assert.Equal(Golden("terminus.service").Replace("<USER>", Environment.UserName).Replace("<GROUP>", Terminus.Config.Cli.UnixAccounts.Current().Group),
            File.ReadAllText(_home.UnitFile));
        Assert.Equal(SettingsLoader.PasswordPlaceholder + "\n", File.ReadAllText(_home.PasswordFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_home.PasswordFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_home.DotDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_home.DotDir, "_secret")));
        Assert.Contains("Now add the given RabbitMQ server password in this file", output);

        // What was written is what the daemon loads (once the password is in).
        File.WriteAllText(_home.PasswordFile, "s3cret\n");
        var loaded = SettingsLoader.Load(new Dictionary<string, string?>(), _home.Home);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        Assert.Equal((4, 3, "rabbit.lab.example.org"), (loaded.Settings!.Nodes, loaded.Settings.ConcurrencyPerNode, loaded.Settings.Broker.Host));
    }

    [Fact]
    public void Running_it_twice_with_empty_answers_changes_nothing_and_every_value_survives()
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        Assert.Equal(0, Config(Answers(data: _home.Dir("data"), jobs: _home.Dir("jobs"), services: _home.Dir("services"), nodes: "4", concurrency: "3", slurm: "y", alias: "my_storage")).Code);
        var before = _home.Snapshot();

        var (code, output) = Config(["1", "", "", "", "", "", "", "", "", "", "", "", "", ""]);

        Assert.Equal(0, code);
        Assert.Equal(12, Regex.Matches(output, "Current value used").Count);
        Assert.Contains("(current 4)", output);
        Assert.Contains("(current 3)", output);
        Assert.Contains("(current Y)", output);
        Assert.Contains("(current 'my_storage')", output);
        Assert.Equal(before, _home.Snapshot()); // not a byte changed (and so no backup was needed)
        Assert.Contains("'terminus.env' is unchanged", output);
    }

    [Fact]
    public void A_real_0_7_file_is_read_back_whole_and_updated_in_place_after_a_backup()
    {
        Directory.CreateDirectory(_home.DotDir);
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        var original = Golden("terminus-0.7.env");
        File.WriteAllText(_home.EnvFile, original);

        var (code, output) = Config(["1", "", "", "", "", "", "", "", "", "", "rabbit2.lab.example.org", "", "", ""]);

        Assert.Equal(0, code);
        Assert.Contains("(current 4)", output);   // 0.7's own tool lost these; we read them from CELERYD_NODES/OPTS
        Assert.Contains("(current 2)", output);
        Assert.Contains("(current 'terminus_anais')", output);
        var backup = Assert.Single(Backups());
        Assert.Matches(@"terminus\.env\.\d\d-\d\d-\d{4}-\d\d-\d\d-\d\d$", backup);
        Assert.Equal(original, File.ReadAllText(backup));
        var updated = File.ReadAllText(_home.EnvFile);
        Assert.Equal(Golden("terminus-0.7.updated.env"), updated);
        Assert.Contains("# Celery configuration", updated);  // the operator's file, not a template
    }

    [Fact]
    public void Invalid_answers_are_asked_again_never_a_crash()
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        var (code, output) = Config(["x", "3", "1", "Anais", _home.Dir("data"), _home.Dir("jobs"), _home.Dir("services"), "two", "0", "2", "2",
            "bad alias", "Galactica_storage", "maybe", "n", "terminus", "not a host!", "rabbit.example.org", "99999", "5672", "galactica", ""]);

        Assert.Equal(0, code);
        Assert.Equal(2, Regex.Matches(output, "Error: Valid choices are \\[1, 2\\]").Count);
        Assert.Contains("Invalid value 'two'", output);
        Assert.Contains("Invalid value '0'", output);
        Assert.Contains("Invalid value 'bad alias'", output);
        Assert.Contains("Please answer 'y' or 'n'", output);
        Assert.Contains("Invalid value 'not a host!'", output);
        Assert.Contains("Invalid value '99999'", output);
        var env = EnvFile.Parse(File.ReadAllText(_home.EnvFile));
        Assert.Equal(("anais", "2", "2", "0", "rabbit.example.org"), (env["TERMINUS_HOSTNAME"], env["TERMINUS_NODES"], env["TERMINUS_CONCURRENCY"], env["TERMINUS_USE_SLURM"], env["RABBITMQ_HOST"]));
    }

    [Theory]
    [InlineData(3)]    // during the questions
    [InlineData(13)]   // at "Save configuration ?"
    public void An_interrupted_session_writes_nothing(int answered)
    {
        _home.MakeDir("data");
        var before = _home.Snapshot();
        var (code, output) = Config(Answers(data: _home.Dir("data")).Take(answered).ToArray()); // then the input ends (Ctrl-D)
        Assert.Equal(130, code);
        Assert.Contains("Canceled... nothing was written.", output);
        Assert.Equal(before, _home.Snapshot());
        Assert.False(Directory.Exists(_home.DotDir));
    }

    [Fact]
    public void Declining_to_save_writes_nothing()
    {
        var answers = Answers(data: _home.Dir("newdata"));
        answers[^1] = "n";
        var (code, output) = Config([.. answers[..3], "", .. answers[3..]]); // "" = create the missing data dir: it is not, since nothing is saved
        Assert.Equal(0, code);
        Assert.Contains("Aborting. Nothing was written.", output);
        Assert.False(Directory.Exists(_home.DotDir));
        Assert.False(Directory.Exists(_home.Dir("newdata")));
    }

    [Fact]
    public void Missing_directories_are_created_on_save_when_accepted_with_the_default_answer()
    {
        var (code, output) = Config(["1", "anais", _home.Dir("d"), "", _home.Dir("j"), "n", _home.Dir("s"), "Y", "", "", "", "", "u", "rabbit", "5672", "v", ""]);
        Assert.Equal(0, code);
        Assert.True(Directory.Exists(_home.Dir("d")));
        Assert.False(Directory.Exists(_home.Dir("j")));
        Assert.True(Directory.Exists(_home.Dir("s")));
        Assert.Contains($"Directory '{_home.Dir("j")}' does not exist. This directory must be created before launching Terminus !", output);
    }

    [Fact]
    public void Non_interactive_flags_write_the_configuration_and_keep_what_they_do_not_name()
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        var (code, output) = _home.Run(io => TerminusCli.Run(io, ["config", "--non-interactive", "--exec-start", ExecStart, "--hostname", "anais",
            "--data-dir", _home.Dir("data"), "--job-dir", _home.Dir("jobs"), "--service-dir", _home.Dir("services"), "--nodes", "3",
            "--rabbitmq-user", "u", "--rabbitmq-host", "::1", "--rabbitmq-vhost", "v"]));
        Assert.True(code == 0, output);
        var answers = Path.Combine(_home.Home, "answers.env");
        File.WriteAllText(answers, "TERMINUS_CONCURRENCY=5\nGALACSTORAGE_SSH_ALIAS=\"other_storage\"\n");
        (code, output) = _home.Run(io => TerminusCli.Run(io, ["config", "--non-interactive", "--exec-start", ExecStart, "--answers", answers, "--slurm", "yes"]));
        Assert.True(code == 0, output);
        var env = EnvFile.Parse(File.ReadAllText(_home.EnvFile));
        Assert.Equal(("anais", "3", "5", "other_storage", "1", "::1"),
            (env["TERMINUS_HOSTNAME"], env["TERMINUS_NODES"], env["TERMINUS_CONCURRENCY"], env["GALACSTORAGE_SSH_ALIAS"], env["TERMINUS_USE_SLURM"], env["RABBITMQ_HOST"]));
        Assert.Single(Backups());
    }

    [Theory]
    [InlineData("--nodes", "many", "--nodes 'many'", 78)]
    [InlineData("--rabbitmq-port", "0", "--rabbitmq-port '0'", 78)]
    [InlineData("--hostname", "My Host", "--hostname 'my host'", 78)]
    [InlineData("--data-dir", "relative/dir", "--data-dir", 78)]
    [InlineData("--colour", "blue", "Unrecognized command or argument '--colour'", 64)] // the command line itself: EX_USAGE
    public void Non_interactive_errors_write_nothing(string option, string value, string message, int exitCode)
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        var given = new Dictionary<string, string>
        {
            ["--hostname"] = "anais", ["--data-dir"] = _home.Dir("data"), ["--job-dir"] = _home.Dir("jobs"), ["--service-dir"] = _home.Dir("services"),
            ["--rabbitmq-user"] = "u", ["--rabbitmq-host"] = "rabbit", ["--rabbitmq-vhost"] = "v",
        };
        given[option] = value;
        var (code, output) = _home.Run(io => TerminusCli.Run(io, ["config", "--non-interactive", "--exec-start", ExecStart,
            .. given.SelectMany(kv => new[] { kv.Key, kv.Value })]));
        Assert.Equal(exitCode, code);
        Assert.Contains(message, output);
        if (exitCode == 78) Assert.Contains("nothing was written", output);
        Assert.False(Directory.Exists(_home.DotDir));
    }

    [Fact]
    public void Non_interactive_missing_directories_need_create_dirs()
    {
        string[] args = ["--non-interactive", "--exec-start", ExecStart, "--hostname", "anais", "--data-dir", _home.Dir("d"), "--job-dir", _home.Dir("j"),
            "--service-dir", _home.Dir("s"), "--rabbitmq-user", "u", "--rabbitmq-host", "rabbit", "--rabbitmq-vhost", "v"];
        var (code, output) = _home.Run(io => TerminusCli.Run(io, ["config", .. args]));
        Assert.Equal(78, code);
        Assert.Contains("give --create-dirs", output);
        (code, _) = _home.Run(io => TerminusCli.Run(io, ["config", .. args, "--create-dirs"]));
        Assert.Equal(0, code);
        Assert.True(Directory.Exists(_home.Dir("j")));
    }

    [Fact]
    public async Task The_generated_unit_verifies_without_any_warning()
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        Assert.Equal(0, Config(Answers(data: _home.Dir("data"), jobs: _home.Dir("jobs"), services: _home.Dir("services"))).Code);
        var psi = new System.Diagnostics.ProcessStartInfo("systemd-analyze", ["verify", _home.UnitFile]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0 && output.Length == 0, $"systemd-analyze verify: exit {p.ExitCode}\n{output}");
    }
}
