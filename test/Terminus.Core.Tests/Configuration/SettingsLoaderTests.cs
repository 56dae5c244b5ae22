using Terminus.Core.Configuration;
using Terminus.Tests.Shared;

namespace Terminus.Core.Tests.Configuration;

public sealed class SettingsLoaderTests : IDisposable
{
    private static readonly string[] RequiredKeys =
    [
        "TERMINUS_HOSTNAME", "TERMINUS_DATA_DIR", "TERMINUS_JOB_DIR", "TERMINUS_SERVICE_DIR",
        "RABBITMQ_USERNAME", "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_VIRTUAL_HOST",
    ];

    private readonly TerminusHome _home = new();

    public void Dispose() => _home.Dispose();

    private static Dictionary<string, string?> NoEnvironment() => [];

    private SettingsLoadResult Load(IReadOnlyDictionary<string, string?> environment) => SettingsLoader.Load(environment, _home.Home);

    private TerminusSettings LoadValid(IReadOnlyDictionary<string, string?> environment)
    {
        SettingsLoadResult result = Load(environment);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Settings!;
    }

    private SettingsLoadResult LoadWithEnvironmentOnly(Action<Dictionary<string, string?>> change)
    {
        _home.WithPassword("pw");
        var env = _home.FullEnvironment();
        change(env);
        return Load(env);
    }

    private static string SingleError(SettingsLoadResult result)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        return Assert.Single(result.Errors);
    }

    // ---- real 0.7 files --------------------------------------------------------------------------------

    [Fact]
    public void A_terminus_env_written_by_07_terminus_config_loads_unchanged()
    {
        _home.WithEnvFile(Terminus07Env.Written(_home, "anais", nodes: 4, concurrency: 2)).WithPassword("s3cret\n");

        TerminusSettings s = LoadValid(NoEnvironment());

        Assert.Equal("anais", s.HostName);
        Assert.Equal(_home.DotDir, s.DotDir);
        Assert.Equal(_home.DataDir, s.DataDir);
        Assert.Equal(_home.JobDir, s.JobDir);
        Assert.Equal(_home.ServiceDir, s.ServiceDir);
        Assert.True(s.UseSlurm);
        Assert.Equal("Galactica_storage", s.StorageSshAlias);
        Assert.Equal((4, 2, 8), (s.Nodes, s.ConcurrencyPerNode, s.MaxConcurrentJobs));
        Assert.Equal("anais.terminus_jobs", s.JobQueue);
        Assert.Equal("anais.monitor", s.MonitorQueue);
        Assert.Equal(Path.Combine(_home.JobDir, "__failed"), s.FailedJobDir);
        Assert.Equal(Path.Combine(_home.DotDir, "logs"), s.LogDir);
        Assert.Equal(_home.PasswordFilePath, s.PasswordFile);
        Assert.Equal(_home.EnvFilePath, s.EnvFilePath);
        Assert.Equal(new BrokerSettings("132.166.10.20", 5672, "galactica", "terminus_anais", "s3cret", UseTls: false), s.Broker);
    }

    [Fact]
    public void The_07_file_gives_nodes_times_concurrency_for_other_layouts_too()
    {
        _home.WithEnvFile(Terminus07Env.Written(_home, "anais", nodes: 3, concurrency: 5, useSlurm: "0")).WithPassword("pw");

        TerminusSettings s = LoadValid(NoEnvironment());

        Assert.Equal((3, 5, 15), (s.Nodes, s.ConcurrencyPerNode, s.MaxConcurrentJobs));
        Assert.False(s.UseSlurm);
    }

    [Fact]
    public void The_untouched_07_template_reports_every_missing_required_key()
    {
        _home.WithEnvFile(Terminus07Env.Template);

        SettingsLoadResult result = Load(NoEnvironment());

        Assert.False(result.IsValid);
        foreach (string key in RequiredKeys)
            Assert.Contains($"{key} is not set (looked in the environment and in {_home.EnvFilePath})", result.Errors);
        Assert.Contains(result.Errors, e => e.StartsWith($"cannot read the RabbitMQ password file '{_home.PasswordFilePath}'", StringComparison.Ordinal));
        Assert.Equal(RequiredKeys.Length + 1, result.Errors.Count);
    }

    [Fact]
    public void Pre_06_integer_node_count_is_read()
    {
        _home.WithPassword("pw").WithEnvFile("CELERYD_NODES=3\nCELERYD_OPTS=\"--concurrency=4 -Q anais.terminus_jobs\"\n");

        TerminusSettings s = LoadValid(_home.FullEnvironment());

        Assert.Equal((3, 4, 12), (s.Nodes, s.ConcurrencyPerNode, s.MaxConcurrentJobs));
    }

    // ---- where values come from ------------------------------------------------------------------------

    [Fact]
    public void The_environment_overrides_the_file()
    {
        _home.WithEnvFile(Terminus07Env.Written(_home, "anais", 4, 2)).WithPassword("pw");
        string otherData = Directory.CreateDirectory(Path.Combine(_home.Root, "other-data")).FullName;

        TerminusSettings s = LoadValid(new Dictionary<string, string?>
        {
            ["TERMINUS_HOSTNAME"] = "Orion",
            ["TERMINUS_DATA_DIR"] = otherData,
            ["RABBITMQ_PORT"] = "5671",
        });

        Assert.Equal("orion", s.HostName);
        Assert.Equal(otherData, s.DataDir);
        Assert.Equal(5671, s.Broker.Port);
        Assert.Equal(_home.JobDir, s.JobDir);
    }

    [Theory]
    [InlineData("__empty__")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void An_empty_environment_variable_counts_as_unset(string? value)
    {
        _home.WithEnvFile(Terminus07Env.Written(_home, "anais", 4, 2)).WithPassword("pw");

        TerminusSettings s = LoadValid(new Dictionary<string, string?> { ["TERMINUS_HOSTNAME"] = value, ["TERMINUS_JOB_DIR"] = value });

        Assert.Equal("anais", s.HostName);
        Assert.Equal(_home.JobDir, s.JobDir);
    }

    [Fact]
    public void Without_terminus_env_the_environment_alone_is_enough()
    {
        SettingsLoadResult result = LoadWithEnvironmentOnly(_ => { });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("anais", result.Settings!.HostName);
        Assert.Contains($"no {_home.EnvFilePath}: using the environment only", result.Notes);
    }

    [Fact]
    public void Without_terminus_env_missing_keys_say_where_they_were_looked_for()
    {
        _home.WithPassword("pw");

        SettingsLoadResult result = Load(new Dictionary<string, string?> { ["TERMINUS_HOSTNAME"] = "anais" });

        Assert.False(result.IsValid);
        Assert.Contains($"TERMINUS_DATA_DIR is not set (looked in the environment and in {_home.EnvFilePath}, which does not exist)", result.Errors);
        Assert.DoesNotContain(result.Errors, e => e.StartsWith("TERMINUS_HOSTNAME", StringComparison.Ordinal));
    }

    [Fact]
    public void Terminus_dot_dir_in_the_environment_locates_the_file_and_the_password()
    {
        string dotDir = Path.Combine(_home.Root, "elsewhere", ".terminus");
        Directory.CreateDirectory(Path.Combine(dotDir, "_secret"));
        File.WriteAllText(Path.Combine(dotDir, "_secret", "rabbitmq_server_pwd"), "other-pw");
        File.WriteAllText(Path.Combine(dotDir, "terminus.env"), $"TERMINUS_HOSTNAME=\"fromfile\"\nTERMINUS_DOT_DIR=\"{dotDir}\"\n");
        var env = _home.FullEnvironment();
        env.Remove("TERMINUS_HOSTNAME");
        env["TERMINUS_DOT_DIR"] = dotDir;

        TerminusSettings s = LoadValid(env);

        Assert.Equal("fromfile", s.HostName);
        Assert.Equal(dotDir, s.DotDir);
        Assert.Equal("other-pw", s.Broker.Password);
    }

    [Fact]
    public void Dot_dir_defaults_to_home_terminus_and_the_sentinel_means_default()
    {
        _home.WithPassword("pw");
        var env = _home.FullEnvironment();
        env["TERMINUS_DOT_DIR"] = "__empty__";

        SettingsLoadResult result = Load(env);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(Path.Combine(_home.Home, ".terminus"), result.Settings!.DotDir);
        Assert.Contains(result.Notes, n => n.StartsWith("TERMINUS_DOT_DIR is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void Other_keys_of_the_07_file_are_ignored()
    {
        _home.WithPassword("pw").WithEnvFile("TERMINUS_ROOT=\"/nonexistent\"\nPATH=/nowhere\nCELERY_BIN=\"/x\"\nUser=nobody\n");

        Assert.True(Load(_home.FullEnvironment()).IsValid);
    }

    [Fact]
    public void File_quirks_export_comments_and_equals_signs_load()
    {
        _home.WithPassword("pw").WithEnvFile($"""
            # comment line
            export TERMINUS_HOSTNAME='anais'
               TERMINUS_DATA_DIR = "{_home.DataDir}"   # inline comment after quotes
            TERMINUS_JOB_DIR={_home.JobDir}
            TERMINUS_SERVICE_DIR="{_home.ServiceDir}"
            RABBITMQ_USERNAME="user=with=equals"
            RABBITMQ_HOST="rabbit.lab.example.org"
            RABBITMQ_PORT=5672
            RABBITMQ_VIRTUAL_HOST="/"
            this line is junk
            """);

        SettingsLoadResult result = Load(NoEnvironment());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("user=with=equals", result.Settings!.Broker.UserName);
        Assert.Equal("/", result.Settings.Broker.VirtualHost);
        Assert.Contains(result.Notes, n => n.StartsWith($"{_home.EnvFilePath} line 10: ignored", StringComparison.Ordinal));
        Assert.Contains($"loaded {_home.EnvFilePath}", result.Notes);
    }

    // ---- paths -----------------------------------------------------------------------------------------

    [Fact]
    public void Tilde_and_home_are_expanded_and_paths_made_absolute()
    {
        foreach (string d in new[] { "data", "jobs", "svc" })
            Directory.CreateDirectory(Path.Combine(_home.Home, d));
        _home.WithPassword("pw");
        var env = _home.FullEnvironment();
        env["TERMINUS_DATA_DIR"] = "~/data";
        env["TERMINUS_JOB_DIR"] = "$HOME/jobs/";
        env["TERMINUS_SERVICE_DIR"] = "${HOME}/x/../svc";

        TerminusSettings s = LoadValid(env);

        Assert.Equal(Path.Combine(_home.Home, "data"), s.DataDir);
        Assert.Equal(Path.Combine(_home.Home, "jobs") + "/", s.JobDir);
        Assert.Equal(Path.Combine(_home.Home, "svc"), s.ServiceDir);
    }

    [Theory]
    [InlineData("~", "HOME")]
    [InlineData("~/a", "HOME/a")]
    [InlineData("$HOME", "HOME")]
    [InlineData("/abs/~/x", "/abs/~/x")]
    [InlineData("~user/x", "CWD/~user/x")]
    [InlineData("rel/dir", "CWD/rel/dir")]
    public void ExpandPath_expands_only_a_leading_home(string input, string expected)
    {
        string home = "/home/galactica";
        string want = expected.Replace("HOME", home, StringComparison.Ordinal).Replace("CWD", Directory.GetCurrentDirectory(), StringComparison.Ordinal);

        Assert.Equal(Path.GetFullPath(want), SettingsLoader.ExpandPath(input, home));
    }

    [Fact]
    public void Missing_directories_are_errors_naming_the_key_and_path()
    {
        _home.WithPassword("pw");
        string missing = Path.Combine(_home.Root, "nope", "jobs");
        string file = Path.Combine(_home.Root, "a-file");
        File.WriteAllText(file, "");
        var env = _home.FullEnvironment();
        env["TERMINUS_JOB_DIR"] = missing;
        env["TERMINUS_DATA_DIR"] = file;

        SettingsLoadResult result = Load(env);

        Assert.Equal(
            [$"TERMINUS_DATA_DIR '{file}' does not exist or is not a directory", $"TERMINUS_JOB_DIR '{missing}' does not exist or is not a directory"],
            result.Errors);
    }

    // ---- hostname, slurm, ssh alias --------------------------------------------------------------------

    [Theory]
    [InlineData("anais", "anais")]
    [InlineData("ANAIS-Cluster_2.lab", "anais-cluster_2.lab")]
    [InlineData(" anais ", "anais")]
    public void Host_name_is_lower_cased(string value, string expected)
    {
        Assert.Equal(expected, LoadWithEnvironmentOnly(e => e["TERMINUS_HOSTNAME"] = value).Settings!.HostName);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("anais/x")]
    [InlineData("anaïs")]
    [InlineData("a#b")]
    public void Host_names_unusable_in_queue_names_are_rejected(string value)
    {
        string error = SingleError(LoadWithEnvironmentOnly(e => e["TERMINUS_HOSTNAME"] = value));

        Assert.Equal($"TERMINUS_HOSTNAME '{value}' is not a valid host name: use letters, digits, '-', '_' and '.'", error);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("\"1\"", true)]
    [InlineData("2", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("__empty__", false)]
    public void Use_slurm_follows_int_greater_than_zero(string fileValue, bool expected)
    {
        _home.WithPassword("pw").WithEnvFile($"TERMINUS_USE_SLURM={fileValue}\n");

        Assert.Equal(expected, LoadValid(_home.FullEnvironment()).UseSlurm);
    }

    [Fact]
    public void Use_slurm_that_is_not_an_integer_is_an_error()
    {
        string error = SingleError(LoadWithEnvironmentOnly(e => e["TERMINUS_USE_SLURM"] = "yes"));

        Assert.StartsWith("TERMINUS_USE_SLURM 'yes' is not an integer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ssh_alias_defaults_to_galactica_storage_and_can_be_set()
    {
        SettingsLoadResult defaulted = LoadWithEnvironmentOnly(_ => { });
        Assert.Equal("Galactica_storage", defaulted.Settings!.StorageSshAlias);
        Assert.Contains(defaulted.Notes, n => n.StartsWith("GALACSTORAGE_SSH_ALIAS is not set", StringComparison.Ordinal));

        Assert.Equal("storage@galactica", LoadWithEnvironmentOnly(e => e["GALACSTORAGE_SSH_ALIAS"] = "storage@galactica").Settings!.StorageSshAlias);
    }

    [Theory]
    [InlineData("-oProxyCommand=evil")]
    [InlineData("two words")]
    [InlineData("host:path")]
    public void Ssh_alias_that_rsync_would_misread_is_an_error(string value)
    {
        Assert.StartsWith("GALACSTORAGE_SSH_ALIAS ", SingleError(LoadWithEnvironmentOnly(e => e["GALACSTORAGE_SSH_ALIAS"] = value)), StringComparison.Ordinal);
    }

    // ---- capacity --------------------------------------------------------------------------------------

    [Fact]
    public void Terminus_nodes_and_concurrency_take_precedence_over_the_celery_lines()
    {
        _home.WithEnvFile(Terminus07Env.Written(_home, "anais", nodes: 4, concurrency: 2)).WithPassword("pw");

        TerminusSettings s = LoadValid(new Dictionary<string, string?> { ["TERMINUS_NODES"] = "3", ["TERMINUS_CONCURRENCY"] = "5" });

        Assert.Equal((3, 5, 15), (s.Nodes, s.ConcurrencyPerNode, s.MaxConcurrentJobs));
    }

    [Fact]
    public void Terminus_nodes_wins_even_over_a_broken_celery_line()
    {
        _home.WithPassword("pw").WithEnvFile("CELERYD_NODES=\"monitor@h\"\nTERMINUS_NODES=6\n");

        TerminusSettings s = LoadValid(_home.FullEnvironment());

        Assert.Equal((6, 2), (s.Nodes, s.ConcurrencyPerNode));
    }

    [Fact]
    public void Without_any_capacity_setting_the_07_defaults_apply_with_a_note()
    {
        SettingsLoadResult result = LoadWithEnvironmentOnly(_ => { });

        Assert.Equal((2, 2, 4), (result.Settings!.Nodes, result.Settings.ConcurrencyPerNode, result.Settings.MaxConcurrentJobs));
        Assert.Contains(result.Notes, n => n.Contains("0.7's defaults, 2 nodes × 2 processes", StringComparison.Ordinal));
    }

    [Fact]
    public void Celery_opts_without_concurrency_default_to_two_per_node_with_a_note()
    {
        SettingsLoadResult result = LoadWithEnvironmentOnly(e =>
        {
            e["CELERYD_NODES"] = "job_worker1@h job_worker2@h job_worker3@h monitor@h";
            e["CELERYD_OPTS"] = "-Q h.terminus_jobs -c:4 1 -Q:4 h.monitor";
        });

        Assert.Equal((3, 2), (result.Settings!.Nodes, result.Settings.ConcurrencyPerNode));
        Assert.Contains(result.Notes, n => n.StartsWith("neither TERMINUS_CONCURRENCY nor", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("TERMINUS_NODES", "0")]
    [InlineData("TERMINUS_NODES", "two")]
    [InlineData("TERMINUS_CONCURRENCY", "-3")]
    [InlineData("TERMINUS_CONCURRENCY", "1.5")]
    public void Capacity_values_must_be_positive_integers(string key, string value)
    {
        Assert.Equal($"{key} '{value}' is not a positive integer", SingleError(LoadWithEnvironmentOnly(e => e[key] = value)));
    }

    [Fact]
    public void Capacity_is_bounded()
    {
        SettingsLoadResult ok = LoadWithEnvironmentOnly(e => { e["TERMINUS_NODES"] = "32"; e["TERMINUS_CONCURRENCY"] = "32"; });
        Assert.Equal(1024, ok.Settings!.MaxConcurrentJobs);

        string error = SingleError(LoadWithEnvironmentOnly(e => { e["TERMINUS_NODES"] = "100"; e["TERMINUS_CONCURRENCY"] = "2147483647"; }));
        Assert.Contains("TERMINUS_NODES", error, StringComparison.Ordinal);
        Assert.Contains("more than 1024", error, StringComparison.Ordinal);
    }

    // ---- broker ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("rabbit")]
    [InlineData("rabbit.galactica-simulations.eu")]
    [InlineData("132.166.10.20")]
    [InlineData("::1")]
    [InlineData("[2001:db8::1]")]
    public void Broker_host_may_be_a_dns_name_ipv4_or_ipv6(string host)
    {
        TerminusSettings s = LoadWithEnvironmentOnly(e => e["RABBITMQ_HOST"] = host).Settings!;

        Assert.Equal(host.Trim('[', ']'), s.Broker.Host);
        Assert.Equal(5672, s.Broker.ToUri().Port);
    }

    [Theory]
    [InlineData("bad host")]
    [InlineData("rabbit:5672")]
    [InlineData("amqp://rabbit")]
    [InlineData("-_-")]
    public void Broker_host_garbage_is_an_error(string host)
    {
        Assert.Equal($"RABBITMQ_HOST '{host}' is not a host name or IP address", SingleError(LoadWithEnvironmentOnly(e => e["RABBITMQ_HOST"] = host)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("5672.0")]
    public void Bad_ports_are_errors(string port)
    {
        Assert.Equal($"RABBITMQ_PORT '{port}' is not a port number (1-65535)", SingleError(LoadWithEnvironmentOnly(e => e["RABBITMQ_PORT"] = port)));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("true", true)]
    public void Rabbitmq_use_tls_selects_amqps(string value, bool tls)
    {
        TerminusSettings s = LoadWithEnvironmentOnly(e => e["RABBITMQ_USE_TLS"] = value).Settings!;

        Assert.Equal(tls, s.Broker.UseTls);
        Assert.Equal(tls ? "amqps" : "amqp", s.Broker.ToUri().Scheme);
    }

    [Fact]
    public void Rabbitmq_use_tls_garbage_is_an_error()
    {
        Assert.Equal("RABBITMQ_USE_TLS 'maybe' is not 0 or 1", SingleError(LoadWithEnvironmentOnly(e => e["RABBITMQ_USE_TLS"] = "maybe")));
    }

    // ---- broker TLS files ------------------------------------------------------------------------------------

    private string WritePem(string name, string text)
    {
        var path = Path.Combine(_home.Home, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_ca_file_and_a_client_certificate_are_loaded_with_tls()
    {
        using var ca = TestCertificates.Ca();
        using var client = TestCertificates.Server(ca, ["terminus.lab.example"]);
        var caFile = WritePem("ca.pem", TestCertificates.Pem(ca));
        WritePem("client.pem", TestCertificates.Pem(client));
        WritePem("client.key", TestCertificates.KeyPem(client));

        var s = LoadWithEnvironmentOnly(e =>
        {
            e["RABBITMQ_USE_TLS"] = "1";
            e["RABBITMQ_TLS_CA_FILE"] = caFile;
            e["RABBITMQ_TLS_CERT_FILE"] = "~/client.pem"; // paths expand like the others
            e["RABBITMQ_TLS_KEY_FILE"] = "$HOME/client.key";
        });

        Assert.True(s.IsValid, string.Join("\n", s.Errors));
        Assert.Equal(new BrokerTlsFiles(caFile, Path.Combine(_home.Home, "client.pem"), Path.Combine(_home.Home, "client.key")), s.Settings!.Broker.Tls);
        Assert.Single(s.Settings.Broker.Tls.LoadCas());
        using var loaded = s.Settings.Broker.Tls.LoadClientCertificate();
        Assert.True(loaded!.HasPrivateKey);
    }

    [Fact]
    public void Without_tls_files_the_broker_has_none()
    {
        var s = LoadWithEnvironmentOnly(e => e["RABBITMQ_USE_TLS"] = "1").Settings!;
        Assert.Equal(BrokerTlsFiles.None, s.Broker.Tls);
        Assert.Null(s.Broker.TlsFiles);
    }

    [Fact]
    public void A_ca_file_that_is_missing_or_holds_no_certificate_is_an_error()
    {
        var missing = Path.Combine(_home.Home, "nope.pem");
        Assert.StartsWith($"RABBITMQ_TLS_CA_FILE '{missing}': ", SingleError(LoadWithEnvironmentOnly(e =>
        {
            e["RABBITMQ_USE_TLS"] = "1";
            e["RABBITMQ_TLS_CA_FILE"] = missing;
        })));
        var empty = WritePem("empty.pem", "not a certificate\n");
        Assert.Equal($"RABBITMQ_TLS_CA_FILE '{empty}': holds no PEM certificate (-----BEGIN CERTIFICATE-----)", SingleError(LoadWithEnvironmentOnly(e =>
        {
            e["RABBITMQ_USE_TLS"] = "1";
            e["RABBITMQ_TLS_CA_FILE"] = empty;
        })));
    }

    [Fact]
    public void Tls_files_without_tls_are_an_error_rather_than_a_silent_plain_connection()
    {
        using var ca = TestCertificates.Ca();
        var caFile = WritePem("ca.pem", TestCertificates.Pem(ca));
        Assert.Equal("RABBITMQ_TLS_CA_FILE set, but RABBITMQ_USE_TLS is not 1: set RABBITMQ_USE_TLS=1, or remove them",
            SingleError(LoadWithEnvironmentOnly(e => e["RABBITMQ_TLS_CA_FILE"] = caFile)));
    }

    [Fact]
    public void A_client_certificate_needs_its_key_and_the_key_must_match()
    {
        using var ca = TestCertificates.Ca();
        using var client = TestCertificates.Server(ca, ["terminus.lab.example"]);
        using var other = TestCertificates.Server(ca, ["other.lab.example"]);
        var cert = WritePem("client.pem", TestCertificates.Pem(client));
        var otherKey = WritePem("other.key", TestCertificates.KeyPem(other));

        Assert.Equal("RABBITMQ_TLS_CERT_FILE and RABBITMQ_TLS_KEY_FILE go together: a client certificate needs its private key",
            SingleError(LoadWithEnvironmentOnly(e =>
            {
                e["RABBITMQ_USE_TLS"] = "1";
                e["RABBITMQ_TLS_CERT_FILE"] = cert;
            })));
        var error = SingleError(LoadWithEnvironmentOnly(e =>
        {
            e["RABBITMQ_USE_TLS"] = "1";
            e["RABBITMQ_TLS_CERT_FILE"] = cert;
            e["RABBITMQ_TLS_KEY_FILE"] = otherKey;
        }));
        Assert.StartsWith($"RABBITMQ_TLS_CERT_FILE '{cert}' with RABBITMQ_TLS_KEY_FILE '{otherKey}': ", error);
        Assert.EndsWith("(a PEM certificate and its unencrypted PEM private key are needed)", error);
    }

    // ---- execution keys (ours, all optional) ---------------------------------------------------------------

    [Fact]
    public void Execution_settings_have_defaults()
    {
        TerminusSettings s = LoadWithEnvironmentOnly(_ => { }).Settings!;
        Assert.Equal(ExecutionSettings.Default.MaxTarballBytes, s.Execution.MaxTarballBytes);
        Assert.Equal(TimeSpan.FromSeconds(300), s.Execution.UploadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), s.Execution.KillGrace);
        Assert.Equal("/usr/bin/python3", s.Execution.RunnerPython);
        Assert.Empty(s.Execution.ServiceEnvironment);
        Assert.Equal((null, 4096, ContainmentMode.Auto), (s.Execution.JobMemoryMb, s.Execution.JobMaxTasks, s.Execution.Containment));
        Assert.Equal((SandboxMode.Auto, SandboxDataMode.ReadOnly), (s.Execution.Sandbox, s.Execution.SandboxData));
    }

    [Fact]
    public void Execution_settings_are_read()
    {
        var python = Path.Combine(_home.Home, "python3");
        File.WriteAllText(python, "");
        TerminusSettings s = LoadWithEnvironmentOnly(e =>
        {
            e["TERMINUS_MAX_TARBALL_MB"] = "5";
            e["TERMINUS_UPLOAD_TIMEOUT_S"] = "30";
            e["TERMINUS_KILL_GRACE_S"] = "2";
            e["TERMINUS_RUNNER_PYTHON"] = python;
            e["TERMINUS_SERVICE_ENV"] = "PYTHONPATH, LD_LIBRARY_PATH OMP_NUM_THREADS";
            e["TERMINUS_JOB_MEMORY_MB"] = "2048";
            e["TERMINUS_JOB_MAX_TASKS"] = "512";
            e["TERMINUS_CONTAINMENT"] = "Cgroup";
        }).Settings!;
        Assert.Equal(5L * 1024 * 1024, s.Execution.MaxTarballBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Execution.UploadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), s.Execution.KillGrace);
        Assert.Equal(python, s.Execution.RunnerPython);
        Assert.Equal(["PYTHONPATH", "LD_LIBRARY_PATH", "OMP_NUM_THREADS"], s.Execution.ServiceEnvironment);
        Assert.Equal((2048, 512, ContainmentMode.Cgroup), (s.Execution.JobMemoryMb, s.Execution.JobMaxTasks, s.Execution.Containment));
    }

    [Theory]
    [InlineData("auto", ContainmentMode.Auto)]
    [InlineData("cgroup", ContainmentMode.Cgroup)]
    [InlineData(" subreaper ", ContainmentMode.Subreaper)]
    public void Containment_is_auto_cgroup_or_subreaper(string value, ContainmentMode mode) =>
        Assert.Equal(mode, LoadWithEnvironmentOnly(e => e["TERMINUS_CONTAINMENT"] = value).Settings!.Execution.Containment);

    [Fact]
    public void Containment_read_from_terminus_env()
    {
        _home.WithPassword("pw").WithEnvFile("TERMINUS_CONTAINMENT=\"subreaper\"\nTERMINUS_JOB_MEMORY_MB=64\n");
        TerminusSettings s = LoadValid(_home.FullEnvironment());
        Assert.Equal((ContainmentMode.Subreaper, 64), (s.Execution.Containment, s.Execution.JobMemoryMb));
    }

    [Theory]
    [InlineData("auto", SandboxMode.Auto)]
    [InlineData("on", SandboxMode.On)]
    [InlineData(" OFF ", SandboxMode.Off)]
    public void Sandbox_is_auto_on_or_off(string value, SandboxMode mode) =>
        Assert.Equal(mode, LoadWithEnvironmentOnly(e => e["TERMINUS_SANDBOX"] = value).Settings!.Execution.Sandbox);

    [Theory]
    [InlineData("ro", SandboxDataMode.ReadOnly)]
    [InlineData(" RW", SandboxDataMode.Writable)]
    public void Sandbox_data_is_ro_or_rw(string value, SandboxDataMode mode) =>
        Assert.Equal(mode, LoadWithEnvironmentOnly(e => e["TERMINUS_SANDBOX_DATA"] = value).Settings!.Execution.SandboxData);

    [Fact]
    public void Retention_of_failed_jobs_and_the_job_log_cap_default_to_30_days_and_100_MB_and_can_be_set()
    {
        var defaults = LoadWithEnvironmentOnly(_ => { }).Settings!.Execution;
        Assert.Equal((TimeSpan.FromDays(30), 100L * 1024 * 1024), (defaults.FailedRetention, defaults.JobLogMaxBytes));
        var set = LoadWithEnvironmentOnly(e => { e["TERMINUS_FAILED_RETAIN_DAYS"] = "7"; e["TERMINUS_JOB_LOG_MAX_MB"] = "5"; }).Settings!.Execution;
        Assert.Equal((TimeSpan.FromDays(7), 5L * 1024 * 1024), (set.FailedRetention, set.JobLogMaxBytes));
    }

    [Fact]
    public void Sandbox_keys_read_from_terminus_env()
    {
        _home.WithPassword("pw").WithEnvFile("TERMINUS_SANDBOX=\"on\"\nTERMINUS_SANDBOX_DATA=rw\n");
        TerminusSettings s = LoadValid(_home.FullEnvironment());
        Assert.Equal((SandboxMode.On, SandboxDataMode.Writable), (s.Execution.Sandbox, s.Execution.SandboxData));
    }

    [Theory]
    [InlineData("TERMINUS_MAX_TARBALL_MB", "lots", "TERMINUS_MAX_TARBALL_MB 'lots' is not a positive integer")]
    [InlineData("TERMINUS_UPLOAD_TIMEOUT_S", "0", "TERMINUS_UPLOAD_TIMEOUT_S '0' is not a positive integer")]
    [InlineData("TERMINUS_RUNNER_PYTHON", "python3", "TERMINUS_RUNNER_PYTHON 'python3' is not the absolute path of an existing file")]
    [InlineData("TERMINUS_SERVICE_ENV", "PATH $(id)", "TERMINUS_SERVICE_ENV: '$(id)' is not an environment variable name")]
    [InlineData("TERMINUS_JOB_MEMORY_MB", "2G", "TERMINUS_JOB_MEMORY_MB '2G' is not a positive integer")]
    [InlineData("TERMINUS_JOB_MEMORY_MB", "0", "TERMINUS_JOB_MEMORY_MB '0' is not a positive integer")]
    [InlineData("TERMINUS_JOB_MAX_TASKS", "-1", "TERMINUS_JOB_MAX_TASKS '-1' is not a positive integer")]
    [InlineData("TERMINUS_CONTAINMENT", "systemd", "TERMINUS_CONTAINMENT 'systemd' is not auto, cgroup or subreaper")]
    [InlineData("TERMINUS_SANDBOX", "yes", "TERMINUS_SANDBOX 'yes' is not auto, on or off")]
    [InlineData("TERMINUS_SANDBOX", "1", "TERMINUS_SANDBOX '1' is not auto, on or off")]
    [InlineData("TERMINUS_SANDBOX_DATA", "readonly", "TERMINUS_SANDBOX_DATA 'readonly' is not ro (read-only) or rw (writable)")]
    [InlineData("TERMINUS_FAILED_RETAIN_DAYS", "forever", "TERMINUS_FAILED_RETAIN_DAYS 'forever' is not a positive integer")]
    [InlineData("TERMINUS_JOB_LOG_MAX_MB", "0", "TERMINUS_JOB_LOG_MAX_MB '0' is not a positive integer")]
    public void Bad_execution_settings_are_errors(string key, string value, string message)
    {
        Assert.Equal(message, SingleError(LoadWithEnvironmentOnly(e => e[key] = value)));
    }

    [Fact]
    public void Special_characters_in_credentials_survive_into_the_uri()
    {
        _home.WithPassword("  p@ss:w/rd#%\n");
        var env = _home.FullEnvironment();
        env["RABBITMQ_USERNAME"] = "lab:user@x";
        env["RABBITMQ_VIRTUAL_HOST"] = "/";

        Uri uri = LoadValid(env).Broker.ToUri();

        string[] userInfo = uri.UserInfo.Split(':');
        Assert.Equal("lab:user@x", Uri.UnescapeDataString(userInfo[0]));
        Assert.Equal("p@ss:w/rd#%", Uri.UnescapeDataString(userInfo[1]));
        Assert.Equal("/", Uri.UnescapeDataString(uri.AbsolutePath[1..]));
    }

    // ---- password file ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("  \n", "it is empty")]
    [InlineData("__DUMMY_PASSWD__\n", "placeholder __DUMMY_PASSWD__")]
    public void Empty_or_placeholder_password_is_an_error_naming_the_file(string content, string reason)
    {
        _home.WithPassword(content);

        string error = SingleError(Load(_home.FullEnvironment()));

        Assert.StartsWith($"cannot read the RabbitMQ password file '{_home.PasswordFilePath}': ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_password_file_is_an_error_naming_the_file()
    {
        string error = SingleError(Load(_home.FullEnvironment()));

        Assert.Equal($"cannot read the RabbitMQ password file '{_home.PasswordFilePath}': it does not exist (put the broker password in it)", error);
    }

    [Fact]
    public void Unreadable_password_file_is_an_error_naming_the_file()
    {
        // chmod 000 does not stop root, so a directory stands in for an unreadable file.
        Directory.CreateDirectory(_home.PasswordFilePath);

        string error = SingleError(Load(_home.FullEnvironment()));

        Assert.StartsWith($"cannot read the RabbitMQ password file '{_home.PasswordFilePath}': ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Password_is_trimmed()
    {
        _home.WithPassword("\t s3cret \r\n");

        Assert.Equal("s3cret", LoadValid(_home.FullEnvironment()).Broker.Password);
    }

    // ---- error collection ------------------------------------------------------------------------------

    [Fact]
    public void All_errors_are_reported_at_once_each_naming_its_key()
    {
        SettingsLoadResult result = LoadWithEnvironmentOnly(e =>
        {
            e["TERMINUS_HOSTNAME"] = "a b";
            e["RABBITMQ_PORT"] = "abc";
            e["RABBITMQ_HOST"] = "not a host";
            e["TERMINUS_SERVICE_DIR"] = "/nonexistent/services";
            e.Remove("RABBITMQ_USERNAME");
        });

        Assert.Null(result.Settings);
        Assert.Equal(5, result.Errors.Count);
        foreach (string key in new[] { "TERMINUS_HOSTNAME", "RABBITMQ_PORT", "RABBITMQ_HOST", "TERMINUS_SERVICE_DIR", "RABBITMQ_USERNAME" })
            Assert.Single(result.Errors, e => e.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.All(result.Errors, e => Assert.DoesNotContain('\n', e));
    }

    [Fact]
    public void A_directory_in_place_of_terminus_env_is_an_error()
    {
        Directory.CreateDirectory(_home.EnvFilePath);

        SettingsLoadResult result = LoadWithEnvironmentOnly(_ => { });

        Assert.Equal($"cannot read {_home.EnvFilePath}: it is a directory, not a file", SingleError(result));
    }

    [Fact]
    public void Notes_say_which_keys_came_from_the_environment()
    {
        _home.WithEnvFile(Terminus07Env.Written(_home, "anais", 4, 2)).WithPassword("pw");

        SettingsLoadResult result = Load(new Dictionary<string, string?> { ["RABBITMQ_PORT"] = "5671", ["TERMINUS_HOSTNAME"] = "x" });

        Assert.Contains("taken from the environment (over terminus.env): RABBITMQ_PORT, TERMINUS_HOSTNAME", result.Notes);
        Assert.Contains("4 nodes × 2 processes = 8 concurrent jobs (from CELERYD_NODES and CELERYD_OPTS)", result.Notes);
    }

    [Fact]
    public void Settings_print_without_the_password()
    {
        _home.WithPassword("very-secret-pw");

        TerminusSettings s = LoadValid(_home.FullEnvironment());

        Assert.DoesNotContain("very-secret-pw", s.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromProcess_runs_against_the_real_environment()
    {
        // Only checks that it does not throw: the machine's environment decides validity.
        SettingsLoadResult result = SettingsLoader.LoadFromProcess();

        Assert.Equal(result.Settings is not null, result.IsValid);
    }

    // ---- metrics and logs ------------------------------------------------------------------------------

    [Fact]
    public void Metrics_are_served_on_loopback_by_default_and_logs_are_text_kept_30_days()
    {
        _home.WithPassword("pw");
        var t = LoadValid(_home.FullEnvironment()).Telemetry;
        Assert.Equal(new MetricsEndpoint("127.0.0.1", 9464), t.MetricsListen);
        Assert.Equal("http://127.0.0.1:9464/metrics", t.MetricsListen!.LocalUrl);
        Assert.Equal((LogFormat.Text, 30), (t.LogFormat, t.LogRetainDays));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("off", null)]
    [InlineData("0.0.0.0:9100", "http://127.0.0.1:9100/metrics")]
    [InlineData("[::1]:9100", "http://[::1]:9100/metrics")]
    [InlineData("lab-host.example:9100", "http://lab-host.example:9100/metrics")]
    public void Terminus_metrics_names_the_endpoint_and_empty_turns_it_off(string value, string? url)
    {
        var loaded = LoadWithEnvironmentOnly(env => env["TERMINUS_METRICS"] = value);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        Assert.Equal(url, loaded.Settings!.Telemetry.MetricsListen?.LocalUrl);
    }

    [Theory]
    [InlineData("TERMINUS_METRICS", "9464", "TERMINUS_METRICS: '9464' is not host:port")]
    [InlineData("TERMINUS_METRICS", "localhost:99999", "TERMINUS_METRICS: 'localhost:99999' is not host:port")]
    [InlineData("TERMINUS_LOG_FORMAT", "xml", "TERMINUS_LOG_FORMAT: 'xml' is neither 'text' nor 'json'")]
    [InlineData("TERMINUS_LOG_RETAIN_DAYS", "0", "TERMINUS_LOG_RETAIN_DAYS")]
    public void Bad_metrics_and_log_settings_are_one_clear_error_each(string key, string value, string error)
    {
        Assert.StartsWith(error, SingleError(LoadWithEnvironmentOnly(env => env[key] = value)));
    }

    [Fact]
    public void Json_logs_and_a_retention_are_read()
    {
        var loaded = LoadWithEnvironmentOnly(env => { env["TERMINUS_LOG_FORMAT"] = "JSON"; env["TERMINUS_LOG_RETAIN_DAYS"] = "7"; });
        Assert.Equal((LogFormat.Json, 7), (loaded.Settings!.Telemetry.LogFormat, loaded.Settings.Telemetry.LogRetainDays));
    }
}
