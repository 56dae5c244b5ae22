namespace Terminus.Core.Configuration;

/// <summary>
/// How jobs run, beyond 0.7's keys (all optional, with defaults a lab can live with):
/// <list type="bullet">
/// <item><c>TERMINUS_RUNNER_PYTHON</c>: the Python that runs the job runner for bash services (a Python service's
/// runner uses the service's own interpreter); default <c>/usr/bin/python3</c>.</item>
/// <item><c>TERMINUS_MAX_TARBALL_MB</c>: the most a job's <c>out/</c> may hold to be packaged and uploaded.</item>
/// <item><c>TERMINUS_UPLOAD_TIMEOUT_S</c>: rsync's I/O timeout and ssh's connect timeout basis.</item>
/// <item><c>TERMINUS_KILL_GRACE_S</c>: between SIGTERM and SIGKILL when a job's time limit is reached.</item>
/// <item><c>TERMINUS_SERVICE_ENV</c>: names of daemon environment variables passed on to services, which
/// otherwise get a clean environment (no broker settings or secrets).</item>
/// <item><c>TERMINUS_MIN_FREE_MB</c>: below this much free space where jobs run, no new request is taken.</item>
/// <item><c>TERMINUS_UPLOAD_RETRY_S</c>: how long a network failure of an upload is retried (with backoff) before the
/// job fails; 0 = never.</item>
/// <item><c>TERMINUS_UPLOAD_BWLIMIT_KB</c>: rsync's bandwidth limit in KiB/s (unset = none).</item>
/// <item><c>TERMINUS_JOB_MEMORY_MB</c>: the memory a job's processes may use together, in MiB, swap included
/// (unset = no limit); a service's <c>memory_mb</c> overrides it. Needs a cgroup with the memory controller.</item>
/// <item><c>TERMINUS_JOB_MAX_TASKS</c>: the most processes and threads a job may have at once (a fork bomb stops
/// there); default 4096; a service's <c>max_tasks</c> overrides it. Needs a cgroup with the pids controller.</item>
/// <item><c>TERMINUS_CONTAINMENT</c>: <c>auto</c> (default: a cgroup when one is usable, else the process-tree
/// fallback), <c>cgroup</c> (the daemon refuses to start without a usable cgroup) or <c>subreaper</c> (never cgroups).</item>
/// <item><c>TERMINUS_SANDBOX</c>: <c>auto</c> (default: local jobs run inside bubblewrap when it works here, else as
/// before), <c>on</c> (the daemon refuses to start without a working sandbox) or <c>off</c>.</item>
/// <item><c>TERMINUS_SANDBOX_DATA</c>: <c>ro</c> (default: a sandboxed job cannot write the data directory nor what
/// its links point to) or <c>rw</c>.</item>
/// <item><c>TERMINUS_FAILED_RETAIN_DAYS</c>: how long what failed jobs left in <c>__failed/</c> is kept; default 30.</item>
/// <item><c>TERMINUS_JOB_LOG_MAX_MB</c>: the most a job's <c>stdout.log</c> or <c>stderr.log</c> may hold; beyond, its
/// older part is dropped and the tail kept; default 100.</item>
/// </list>
/// </summary>
public sealed record ExecutionSettings(
    string RunnerPython,
    long MaxTarballBytes,
    TimeSpan UploadTimeout,
    TimeSpan KillGrace,
    IReadOnlyList<string> ServiceEnvironment)
{
    public const long DefaultMinFreeMb = 1024;

    /// <summary>Admission control: the free space the job directory's file system must keep.</summary>
    public long MinFreeBytes { get; init; } = DefaultMinFreeMb * 1024 * 1024;

    public const int DefaultUploadRetrySeconds = 600;

    /// <summary>How long transient upload failures (ssh unreachable, connection dropped) are retried.</summary>
    public TimeSpan UploadRetryWindow { get; init; } = TimeSpan.FromSeconds(DefaultUploadRetrySeconds);

    public int? UploadBandwidthKbps { get; init; }

    /// <summary>The default memory limit of a job, in MiB; null = none.</summary>
    public int? JobMemoryMb { get; init; }

    public const int DefaultJobMaxTasks = 4096;

    /// <summary>The default bound on a job's processes and threads.</summary>
    public int JobMaxTasks { get; init; } = DefaultJobMaxTasks;

    /// <summary>How a job's processes are contained: cgroups when usable, required, or never.</summary>
    public ContainmentMode Containment { get; init; } = ContainmentMode.Auto;

    /// <summary>Whether local jobs run inside the sandbox: when it works, required, or never.</summary>
    public SandboxMode Sandbox { get; init; } = SandboxMode.Auto;

    /// <summary>Whether a sandboxed job may write the data directory and its link targets.</summary>
    public SandboxDataMode SandboxData { get; init; } = SandboxDataMode.ReadOnly;

    public const int DefaultFailedRetainDays = 30;

    /// <summary>How long <c>__failed/</c> keeps what a failed job left.</summary>
    public TimeSpan FailedRetention { get; init; } = TimeSpan.FromDays(DefaultFailedRetainDays);

    public const int DefaultJobLogMaxMb = 100;

    /// <summary>The most a job's stdout.log or stderr.log may hold (the tail is kept).</summary>
    public long JobLogMaxBytes { get; init; } = DefaultJobLogMaxMb * 1024L * 1024;

    public const string DefaultRunnerPython = "/usr/bin/python3";
    public const long DefaultMaxTarballMb = 10 * 1024;
    public const int DefaultUploadTimeoutSeconds = 300;
    public const int DefaultKillGraceSeconds = 10;

    public static readonly ExecutionSettings Default = new(DefaultRunnerPython, DefaultMaxTarballMb * 1024 * 1024,
        TimeSpan.FromSeconds(DefaultUploadTimeoutSeconds), TimeSpan.FromSeconds(DefaultKillGraceSeconds), []);
}
