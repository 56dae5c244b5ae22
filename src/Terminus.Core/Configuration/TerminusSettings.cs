namespace Terminus.Core.Configuration;

/// <summary>
/// The daemon's configuration, frozen at start like 0.7's TerminusCommons singleton (docs/operations.md, "Configure").
/// Paths are absolute; the three data directories existed when it was loaded.
/// </summary>
public sealed record TerminusSettings(
    string HostName,
    string DotDir,
    string DataDir,
    string JobDir,
    string ServiceDir,
    bool UseSlurm,
    string StorageSshAlias,
    int Nodes,
    int ConcurrencyPerNode,
    BrokerSettings Broker)
{
    /// <summary>0.7 ran N prefork job nodes of C processes each: N×C jobs at most.</summary>
    public int MaxConcurrentJobs => Nodes * ConcurrencyPerNode;

    /// <summary>The job queue the portal publishes to (declared by the portal, not by us).</summary>
    public string JobQueue => $"{HostName}.terminus_jobs";

    /// <summary>The liveness-probe queue (30 s TTL, declared by the portal).</summary>
    public string MonitorQueue => $"{HostName}.monitor";

    /// <summary>The portal's exchange, which routes to both queues (declared by the portal).</summary>
    public const string PortalExchange = "terminus";

    /// <summary>The routing key of the job queue (singular, as the portal binds it).</summary>
    public string JobRoutingKey => $"{HostName}.terminus_job";

    /// <summary>The routing key of the monitor queue.</summary>
    public string MonitorRoutingKey => $"{HostName}.monitoring";

    /// <summary>How jobs run: runner Python, output size cap, timeouts, environment passed to services.</summary>
    public ExecutionSettings Execution { get; init; } = ExecutionSettings.Default;

    /// <summary>The metrics endpoint and the logs' format and retention.</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.Default;

    /// <summary>How SLURM jobs are polled and given up on.</summary>
    public SlurmSettings Slurm { get; init; } = SlurmSettings.Default;

    /// <summary>The job ledger (SQLite): every accepted job, its transitions and its status outbox. <c>TERMINUS_LEDGER</c>.</summary>
    public string LedgerPath { get => _ledgerPath ?? DefaultLedgerPath(DotDir); init => _ledgerPath = value; }
    private readonly string? _ledgerPath;

    public static string DefaultLedgerPath(string dotDir) => Path.Combine(dotDir, "ledger", "terminus-ledger.db");

    /// <summary>The ledger's directory, absolute: its free space is watched like the job directory's.</summary>
    public string LedgerDir => Path.GetDirectoryName(Path.GetFullPath(LedgerPath))!;

    public string FailedJobDir => Path.Combine(JobDir, "__failed");

    public string LogDir => Path.Combine(DotDir, "logs");

    /// <summary>The daemon's private files while it runs (sandbox proofs, the ssh master's socket): hidden from every job.</summary>
    public string RunDir => Path.Combine(DotDir, "run");

    /// <summary>Where <c>terminus cancel</c> leaves a cancel that could not go through the broker, for the daemon to take.</summary>
    public string CancelInboxDir => Path.Combine(DotDir, "cancels");

    public string PasswordFile => SettingsLoader.PasswordFileFor(DotDir);

    public string EnvFilePath => SettingsLoader.EnvFileFor(DotDir);
}
