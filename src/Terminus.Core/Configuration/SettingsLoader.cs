using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Terminus.Core.Configuration;

/// <summary>
/// Loads <see cref="TerminusSettings"/> the way 0.7 did (docs/operations.md, "Configure"): each key from the environment first,
/// then from &lt;dot dir&gt;/terminus.env; the broker password from &lt;dot dir&gt;/_secret/rabbitmq_server_pwd.
/// Unlike 0.7 it reports every problem at once, one line each, instead of dying on the first KeyError.
/// </summary>
public static partial class SettingsLoader
{
    public const int DefaultNodes = 2;
    public const int DefaultConcurrency = 2;
    /// <summary>Prefetch is a ushort and the portal's job queue holds 1024 messages: more slots make no sense.</summary>
    public const int MaxConcurrentJobsLimit = 1024;
    public const string DefaultStorageSshAlias = "Galactica_storage";
    /// <summary>What terminus_config writes into a new password file.</summary>
    public const string PasswordPlaceholder = "__DUMMY_PASSWD__";

    public static string EnvFileFor(string dotDir) => Path.Combine(dotDir, "terminus.env");

    public static string PasswordFileFor(string dotDir) => Path.Combine(dotDir, "_secret", "rabbitmq_server_pwd");

    /// <summary>The process environment as a dictionary (names are case-sensitive).</summary>
    public static Dictionary<string, string?> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = entry.Value as string;
        return environment;
    }

    /// <summary>Loads from the process environment; "~" is HOME, else the user profile folder.</summary>
    public static SettingsLoadResult LoadFromProcess()
    {
        var environment = ProcessEnvironment();
        string? home = environment.GetValueOrDefault("HOME");
        return Load(environment, string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home);
    }

    public static SettingsLoadResult Load(IReadOnlyDictionary<string, string?> environment, string homeDir)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(homeDir);
        var errors = new List<string>();
        var notes = new List<string>();

        // The file is found through the environment only (or the default): it cannot name its own location.
        string defaultDotDir = Path.GetFullPath(Path.Combine(homeDir, ".terminus"));
        string? envDotDir = environment.GetValueOrDefault("TERMINUS_DOT_DIR");
        string fileDotDir = EnvFile.IsUnset(envDotDir) ? defaultDotDir : ExpandPath(envDotDir!, homeDir) ?? defaultDotDir;
        var keys = new KeySource(environment, EnvFileFor(fileDotDir), errors, notes);

        string? hostName = ReadHostName(keys, errors);
        string dotDir = ReadDotDir(keys, homeDir, defaultDotDir, fileDotDir, errors, notes);
        string? dataDir = RequireDirectory(keys, "TERMINUS_DATA_DIR", homeDir, errors);
        string? jobDir = RequireDirectory(keys, "TERMINUS_JOB_DIR", homeDir, errors);
        string? serviceDir = RequireDirectory(keys, "TERMINUS_SERVICE_DIR", homeDir, errors);
        bool useSlurm = ReadUseSlurm(keys, errors, notes);
        string sshAlias = ReadSshAlias(keys, errors, notes);
        (int nodes, int concurrency) = ReadCapacity(keys, errors, notes);
        BrokerSettings? broker = ReadBroker(keys, homeDir, dotDir, errors);
        ExecutionSettings execution = ReadExecution(keys, errors, notes);
        TelemetrySettings telemetry = ReadTelemetry(keys, environment, errors);
        keys.AddEnvironmentNote();

        if (errors.Count > 0 || hostName is null || dataDir is null || jobDir is null || serviceDir is null || broker is null)
            return new SettingsLoadResult(null, errors, notes);
        string ledger = ReadLedgerPath(keys, homeDir, dotDir, errors);
        SlurmSettings slurm = ReadSlurm(keys, errors);
        var settings = new TerminusSettings(hostName, dotDir, dataDir, jobDir, serviceDir, useSlurm, sshAlias, nodes, concurrency, broker)
        {
            Execution = execution,
            LedgerPath = ledger,
            Slurm = slurm,
            Telemetry = telemetry,
        };
        return new SettingsLoadResult(settings, errors, notes);
    }

    /// <summary>Expands a leading "~", "$HOME" or "${HOME}" and makes the path absolute; null if it is not a path.</summary>
    public static string? ExpandPath(string path, string homeDir)
    {
        string p = path.Trim();
        foreach (string prefix in new[] { "~", "${HOME}", "$HOME" })
        {
            if (p == prefix || p.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                p = homeDir + p[prefix.Length..];
                break;
            }
        }
        try
        {
            return Path.GetFullPath(p);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    private static string? ReadHostName(KeySource keys, List<string> errors)
    {
        string? value = keys.Require("TERMINUS_HOSTNAME");
        if (value is null)
            return null;
        // 0.7 lower-cases it; it becomes part of the queue names "<host>.terminus_jobs" and "<host>.monitor".
        string host = value.Trim().ToLowerInvariant();
        if (HostNameRegex().IsMatch(host))
            return host;
        errors.Add($"TERMINUS_HOSTNAME '{value}' is not a valid host name: use letters, digits, '-', '_' and '.'");
        return null;
    }

    private static TelemetrySettings ReadTelemetry(KeySource keys, IReadOnlyDictionary<string, string?> environment, List<string> errors)
    {
        MetricsEndpoint? metrics = TelemetrySettings.Default.MetricsListen;
        // Empty in the environment (or "off" anywhere) turns the endpoint off; unset keeps the default.
        var raw = keys.Get("TERMINUS_METRICS");
        if (raw is null && environment.TryGetValue("TERMINUS_METRICS", out var set) && set is not null && set.Trim().Length == 0) metrics = null;
        else if (raw is not null && raw.Trim().ToLowerInvariant() is "off" or "none" or "no" or "0") metrics = null;
        else if (raw is not null)
        {
            if (MetricsEndpoint.TryParse(raw, out var endpoint, out var error)) metrics = endpoint;
            else errors.Add($"TERMINUS_METRICS: {error}");
        }
        var format = LogFormat.Text;
        switch (keys.Get("TERMINUS_LOG_FORMAT")?.Trim().ToLowerInvariant())
        {
            case null or "text": break;
            case "json": format = LogFormat.Json; break;
            case var other: errors.Add($"TERMINUS_LOG_FORMAT: '{other}' is neither 'text' nor 'json'"); break;
        }
        int retain = OptionalPositive(keys, "TERMINUS_LOG_RETAIN_DAYS", errors) ?? TelemetrySettings.DefaultLogRetainDays;
        return new TelemetrySettings(metrics, format, retain);
    }

    private static string ReadDotDir(KeySource keys, string homeDir, string defaultDotDir, string fileDotDir, List<string> errors, List<string> notes)
    {
        string? value = keys.Get("TERMINUS_DOT_DIR");
        if (value is null)
        {
            notes.Add($"TERMINUS_DOT_DIR is not set: using {defaultDotDir}");
            return defaultDotDir;
        }
        string? dotDir = ExpandPath(value, homeDir);
        if (dotDir is null)
        {
            errors.Add($"TERMINUS_DOT_DIR '{value}' is not a valid path");
            return defaultDotDir;
        }
        if (dotDir != fileDotDir)
            notes.Add($"{EnvFileFor(fileDotDir)} sets TERMINUS_DOT_DIR to {dotDir}: the password file and logs are taken from there");
        return dotDir;
    }

    private static string? RequireDirectory(KeySource keys, string key, string homeDir, List<string> errors)
    {
        string? value = keys.Require(key);
        if (value is null)
            return null;
        string? dir = ExpandPath(value, homeDir);
        if (dir is not null && Directory.Exists(dir))
            return dir;
        errors.Add($"{key} '{dir ?? value}' does not exist or is not a directory");
        return null;
    }

    private static bool ReadUseSlurm(KeySource keys, List<string> errors, List<string> notes)
    {
        string? value = keys.Get("TERMINUS_USE_SLURM");
        if (value is null)
        {
            notes.Add("TERMINUS_USE_SLURM is not set: jobs run locally, not through SLURM");
            return false;
        }
        // 0.7: int(value) > 0, so "0", "1", " 2 " and "-1" are all meaningful.
        const NumberStyles pythonInt = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign;
        if (long.TryParse(value, pythonInt, CultureInfo.InvariantCulture, out long n))
            return n > 0;
        errors.Add($"TERMINUS_USE_SLURM '{value}' is not an integer (0 = run jobs locally, 1 = submit them to SLURM)");
        return false;
    }

    private static string ReadSshAlias(KeySource keys, List<string> errors, List<string> notes)
    {
        string? value = keys.Get("GALACSTORAGE_SSH_ALIAS");
        if (value is null)
        {
            notes.Add($"GALACSTORAGE_SSH_ALIAS is not set: uploading to '{DefaultStorageSshAlias}'");
            return DefaultStorageSshAlias;
        }
        // It becomes the rsync argument "<alias>:": a leading '-' would be read as an option.
        string alias = value.Trim();
        if (alias.StartsWith('-') || alias.Any(c => char.IsWhiteSpace(c) || c == ':' || char.IsControl(c)))
            errors.Add($"GALACSTORAGE_SSH_ALIAS '{value}' is not a valid SSH host alias: no spaces, no ':' and no leading '-'");
        return alias;
    }

    private static (int Nodes, int Concurrency) ReadCapacity(KeySource keys, List<string> errors, List<string> notes)
    {
        (int? nodes, string? nodesFrom) = ReadCount(keys, errors, "TERMINUS_NODES", "CELERYD_NODES", CeleryWorkerLayout.ParseJobNodes);
        (int? concurrency, string? concurrencyFrom) = ReadCount(keys, errors, "TERMINUS_CONCURRENCY", "CELERYD_OPTS", CeleryWorkerLayout.ParseConcurrency);

        if (nodesFrom is null && concurrencyFrom is null)
            notes.Add($"neither TERMINUS_NODES/CELERYD_NODES nor TERMINUS_CONCURRENCY/CELERYD_OPTS --concurrency is set: using 0.7's defaults, {DefaultNodes} nodes × {DefaultConcurrency} processes");
        else if (nodesFrom is null)
            notes.Add($"neither TERMINUS_NODES nor CELERYD_NODES is set: using {DefaultNodes} nodes");
        else if (concurrencyFrom is null)
            notes.Add($"neither TERMINUS_CONCURRENCY nor a --concurrency in CELERYD_OPTS is set: using {DefaultConcurrency} processes per node");

        int n = nodes ?? DefaultNodes, c = concurrency ?? DefaultConcurrency;
        string from = $"{nodesFrom ?? "default"} and {concurrencyFrom ?? "default"}";
        if ((long)n * c > MaxConcurrentJobsLimit)
            errors.Add($"{n} nodes × {c} processes = {(long)n * c} concurrent jobs (from {from}) is more than {MaxConcurrentJobsLimit}: lower TERMINUS_NODES or TERMINUS_CONCURRENCY");
        else
            notes.Add($"{n} nodes × {c} processes = {n * c} concurrent jobs (from {from})");
        return (n, c);
    }

    private delegate int? CeleryParser(string value, out string? error);

    // Our explicit key wins over 0.7's celery-multi line. From: the key that gave the value, null if none did.
    private static (int? Value, string? From) ReadCount(KeySource keys, List<string> errors, string ourKey, string celeryKey, CeleryParser parse)
    {
        if (keys.Get(ourKey) is { } text)
            return (PositiveInt(ourKey, text, errors), ourKey);
        if (keys.Get(celeryKey) is not { } celery)
            return (null, null);
        int? value = parse(celery, out string? error);
        if (error is not null)
            errors.Add(error);
        return value is null && error is null ? (null, null) : (value, celeryKey);
    }

    private static BrokerSettings? ReadBroker(KeySource keys, string homeDir, string dotDir, List<string> errors)
    {
        string? user = keys.Require("RABBITMQ_USERNAME");
        string? vhost = keys.Require("RABBITMQ_VIRTUAL_HOST");

        string? host = keys.Require("RABBITMQ_HOST")?.Trim();
        if (host is not null)
        {
            // A DNS name, an IPv4 or an IPv6 address (0.7 accepted IPv4 only); "[::1]" is fine too.
            string bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
            if (Uri.CheckHostName(bare) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6)
                host = bare;
            else
            {
                errors.Add($"RABBITMQ_HOST '{host}' is not a host name or IP address");
                host = null;
            }
        }

        int? port = null;
        if (keys.Require("RABBITMQ_PORT") is { } portText)
        {
            if (int.TryParse(portText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535)
                port = p;
            else
                errors.Add($"RABBITMQ_PORT '{portText}' is not a port number (1-65535)");
        }

        bool useTls = false;
        if (keys.Get("RABBITMQ_USE_TLS") is { } tls)
        {
            switch (tls.Trim().ToLowerInvariant())
            {
                case "1" or "true": useTls = true; break;
                case "0" or "false": break;
                default: errors.Add($"RABBITMQ_USE_TLS '{tls}' is not 0 or 1"); break;
            }
        }

        var tlsFiles = ReadBrokerTlsFiles(keys, homeDir, useTls, errors);
        string? password = ReadPassword(PasswordFileFor(dotDir), errors);
        return user is null || vhost is null || host is null || port is null || password is null
            ? null
            : new BrokerSettings(host, port.Value, vhost, user, password, useTls, tlsFiles);
    }

    /// <summary>
    /// RABBITMQ_TLS_CA_FILE, RABBITMQ_TLS_CERT_FILE and RABBITMQ_TLS_KEY_FILE, each loaded once to report a bad file now;
    /// null when none is set (or on an error, which is in <paramref name="errors"/>).
    /// </summary>
    private static BrokerTlsFiles? ReadBrokerTlsFiles(KeySource keys, string homeDir, bool useTls, List<string> errors)
    {
        var set = new Dictionary<string, string?>();
        foreach (var key in new[] { "RABBITMQ_TLS_CA_FILE", "RABBITMQ_TLS_CERT_FILE", "RABBITMQ_TLS_KEY_FILE" })
        {
            if (keys.Get(key) is not { } value || value.Trim().Length == 0) { set[key] = null; continue; }
            set[key] = ExpandPath(value, homeDir);
            if (set[key] is null) errors.Add($"{key} '{value}' is not a file path");
        }
        if (set.Values.All(v => v is null)) return null;
        if (!useTls)
        {
            errors.Add($"{string.Join(" and ", set.Where(kv => kv.Value is not null).Select(kv => kv.Key))} set, but RABBITMQ_USE_TLS is not 1: set RABBITMQ_USE_TLS=1, or remove them");
            return null;
        }
        var files = new BrokerTlsFiles(set["RABBITMQ_TLS_CA_FILE"], set["RABBITMQ_TLS_CERT_FILE"], set["RABBITMQ_TLS_KEY_FILE"]);
        var problems = files.Problems().ToList();
        errors.AddRange(problems);
        return problems.Count == 0 ? files : null;
    }

    private static string ReadLedgerPath(KeySource keys, string homeDir, string dotDir, List<string> errors)
    {
        var fallback = TerminusSettings.DefaultLedgerPath(dotDir);
        if (keys.Get("TERMINUS_LEDGER") is not { } value) return fallback;
        if (ExpandPath(value, homeDir) is { } path && !Directory.Exists(path)) return path;
        errors.Add($"TERMINUS_LEDGER '{value}' is not a file path");
        return fallback;
    }

    private static SlurmSettings ReadSlurm(KeySource keys, List<string> errors)
    {
        var d = SlurmSettings.Default;
        TimeSpan Seconds(string key, TimeSpan fallback, Func<int, TimeSpan> unit) =>
            OptionalPositive(keys, key, errors) is { } n ? unit(n) : fallback;
        var pollMax = Seconds("TERMINUS_SLURM_POLL_MAX_S", d.PollMax, n => TimeSpan.FromSeconds(n));
        var calls = OptionalPositive(keys, "TERMINUS_SLURM_MAX_CALLS_PER_MIN", errors) ?? d.MaxCallsPerMinute;
        var stuck = Seconds("TERMINUS_SLURM_STUCK_PENDING_MIN", d.StuckPendingLimit, n => TimeSpan.FromMinutes(n));
        var lost = Seconds("TERMINUS_SLURM_LOST_GRACE_S", d.LostGrace, n => TimeSpan.FromSeconds(n));
        if (calls < 3) errors.Add($"TERMINUS_SLURM_MAX_CALLS_PER_MIN {calls} is too low: a poll may take 3 commands");
        return new SlurmSettings(d.PollMin, pollMax < d.PollMin ? d.PollMin : pollMax, calls, stuck, lost);
    }

    private static ExecutionSettings ReadExecution(KeySource keys, List<string> errors, List<string> notes)
    {
        var d = ExecutionSettings.Default;
        string python = d.RunnerPython;
        if (keys.Get("TERMINUS_RUNNER_PYTHON") is { } configured)
        {
            if (!Path.IsPathRooted(configured) || !File.Exists(configured))
                errors.Add($"TERMINUS_RUNNER_PYTHON '{configured}' is not the absolute path of an existing file");
            python = configured;
        }
        else if (!File.Exists(python))
            notes.Add($"{python} does not exist: bash services cannot run until TERMINUS_RUNNER_PYTHON names a Python");

        long maxMb = OptionalPositive(keys, "TERMINUS_MAX_TARBALL_MB", errors) ?? ExecutionSettings.DefaultMaxTarballMb;
        int upload = OptionalPositive(keys, "TERMINUS_UPLOAD_TIMEOUT_S", errors) ?? ExecutionSettings.DefaultUploadTimeoutSeconds;
        int grace = OptionalPositive(keys, "TERMINUS_KILL_GRACE_S", errors) ?? ExecutionSettings.DefaultKillGraceSeconds;

        var passed = new List<string>();
        foreach (string name in (keys.Get("TERMINUS_SERVICE_ENV") ?? "").Split([' ', ',', ':', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (EnvNameRegex().IsMatch(name)) passed.Add(name);
            else errors.Add($"TERMINUS_SERVICE_ENV: '{name}' is not an environment variable name");
        }
        long minFree = OptionalPositive(keys, "TERMINUS_MIN_FREE_MB", errors) ?? ExecutionSettings.DefaultMinFreeMb;
        int retry = ExecutionSettings.DefaultUploadRetrySeconds;
        if (keys.Get("TERMINUS_UPLOAD_RETRY_S") is { } r)
        {
            if (int.TryParse(r.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)) retry = seconds;
            else errors.Add($"TERMINUS_UPLOAD_RETRY_S '{r}' is not a number of seconds (0 = no retry)");
        }
        int? bwlimit = OptionalPositive(keys, "TERMINUS_UPLOAD_BWLIMIT_KB", errors);
        return new ExecutionSettings(python, maxMb * 1024 * 1024, TimeSpan.FromSeconds(upload), TimeSpan.FromSeconds(grace), passed)
        {
            MinFreeBytes = minFree * 1024 * 1024,
            UploadRetryWindow = TimeSpan.FromSeconds(retry),
            UploadBandwidthKbps = bwlimit,
            JobMemoryMb = OptionalPositive(keys, "TERMINUS_JOB_MEMORY_MB", errors),
            JobMaxTasks = OptionalPositive(keys, "TERMINUS_JOB_MAX_TASKS", errors) ?? ExecutionSettings.DefaultJobMaxTasks,
            Containment = ReadContainment(keys, errors),
            Sandbox = ReadSandbox(keys, errors),
            SandboxData = ReadSandboxData(keys, errors),
            FailedRetention = TimeSpan.FromDays(OptionalPositive(keys, "TERMINUS_FAILED_RETAIN_DAYS", errors) ?? ExecutionSettings.DefaultFailedRetainDays),
            JobLogMaxBytes = (OptionalPositive(keys, "TERMINUS_JOB_LOG_MAX_MB", errors) ?? ExecutionSettings.DefaultJobLogMaxMb) * 1024L * 1024,
        };
    }

    private static ContainmentMode ReadContainment(KeySource keys, List<string> errors) =>
        ReadKeyword(keys, errors, "TERMINUS_CONTAINMENT", "auto, cgroup or subreaper", ContainmentMode.Auto,
            ("auto", ContainmentMode.Auto), ("cgroup", ContainmentMode.Cgroup), ("subreaper", ContainmentMode.Subreaper));

    private static SandboxMode ReadSandbox(KeySource keys, List<string> errors) =>
        ReadKeyword(keys, errors, "TERMINUS_SANDBOX", "auto, on or off", SandboxMode.Auto,
            ("auto", SandboxMode.Auto), ("on", SandboxMode.On), ("off", SandboxMode.Off));

    private static SandboxDataMode ReadSandboxData(KeySource keys, List<string> errors) =>
        ReadKeyword(keys, errors, "TERMINUS_SANDBOX_DATA", "ro (read-only) or rw (writable)", SandboxDataMode.ReadOnly,
            ("ro", SandboxDataMode.ReadOnly), ("rw", SandboxDataMode.Writable));

    /// <summary>A key that takes one of a few words (any case, spaces trimmed); unset means <paramref name="fallback"/>, any other word is an error.</summary>
    private static T ReadKeyword<T>(KeySource keys, List<string> errors, string key, string expected, T fallback, params (string Word, T Value)[] words)
    {
        string? value = keys.Get(key);
        if (value is null) return fallback;
        foreach (var (word, v) in words)
            if (value.Trim().Equals(word, StringComparison.OrdinalIgnoreCase)) return v;
        errors.Add($"{key} '{value}' is not {expected}");
        return fallback;
    }

    private static string? ReadPassword(string path, List<string> errors)
    {
        string reason;
        try
        {
            if (Directory.Exists(path))
                reason = "it is a directory, not a file";
            else if (!File.Exists(path))
                reason = "it does not exist (put the broker password in it)";
            else
            {
                string password = File.ReadAllText(path).Trim();
                if (password.Length > 0 && password != PasswordPlaceholder)
                    return password;
                reason = password.Length == 0
                    ? "it is empty (put the broker password in it)"
                    : $"it still holds terminus_config's placeholder {PasswordPlaceholder} (put the broker password in it)";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = e.Message;
        }
        errors.Add($"cannot read the RabbitMQ password file '{path}': {reason}");
        return null;
    }

    /// <summary>An optional positive whole number: null when the key is not set, or when its value is not one (an error).</summary>
    private static int? OptionalPositive(KeySource keys, string key, List<string> errors) =>
        keys.Get(key) is { } value ? PositiveInt(key, value, errors) : null;

    private static int? PositiveInt(string key, string value, List<string> errors)
    {
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
            return n;
        errors.Add($"{key} '{value}' is not a positive integer");
        return null;
    }

    [GeneratedRegex("^[a-z0-9_.-]+$")]
    private static partial Regex HostNameRegex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNameRegex();

    /// <summary>Looks a key up in the environment, then in terminus.env; remembers which keys the environment gave.</summary>
    private sealed class KeySource
    {
        private readonly IReadOnlyDictionary<string, string?> _environment;
        private readonly IReadOnlyDictionary<string, string> _file;
        private readonly string _lookedIn;
        private readonly bool _fileLoaded;
        private readonly List<string> _errors;
        private readonly List<string> _notes;
        private readonly SortedSet<string> _fromEnvironment = new(StringComparer.Ordinal);

        public KeySource(IReadOnlyDictionary<string, string?> environment, string envFile, List<string> errors, List<string> notes)
        {
            _environment = environment;
            _errors = errors;
            _notes = notes;
            _file = new Dictionary<string, string>();
            _lookedIn = $"looked in the environment and in {envFile}";
            try
            {
                if (Directory.Exists(envFile))
                    errors.Add($"cannot read {envFile}: it is a directory, not a file");
                else if (!File.Exists(envFile))
                {
                    _lookedIn += ", which does not exist";
                    notes.Add($"no {envFile}: using the environment only");
                }
                else
                {
                    EnvFileContent content = EnvFile.Read(envFile);
                    _file = content.Values;
                    _fileLoaded = true;
                    notes.Add($"loaded {envFile}");
                    notes.AddRange(content.Notes.Select(n => $"{envFile} {n}"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"cannot read {envFile}: {e.Message}");
            }
        }

        /// <summary>The value, or null when unset (missing, empty or "__empty__") in both places.</summary>
        public string? Get(string key)
        {
            if (_environment.TryGetValue(key, out string? value) && !EnvFile.IsUnset(value))
            {
                _fromEnvironment.Add(key);
                return value!.Trim();
            }
            return _file.TryGetValue(key, out string? fromFile) ? fromFile : null;
        }

        /// <summary>Like <see cref="Get"/>, and records "KEY is not set (looked in …)" when unset.</summary>
        public string? Require(string key)
        {
            string? value = Get(key);
            if (value is null)
                _errors.Add($"{key} is not set ({_lookedIn})");
            return value;
        }

        public void AddEnvironmentNote()
        {
            if (_fromEnvironment.Count > 0)
                _notes.Add($"taken from the environment{(_fileLoaded ? " (over terminus.env)" : "")}: {string.Join(", ", _fromEnvironment)}");
        }
    }
}
