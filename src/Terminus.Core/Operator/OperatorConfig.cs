using System.Globalization;
using Terminus.Core.Configuration;

namespace Terminus.Core.Operator;

/// <summary>
/// What <c>terminus config</c> asks, in 0.7's order (docs/operations.md, "Install"), with the values read back from an existing
/// <c>terminus.env</c> (all of them, nodes and concurrency included, which 0.7 lost) or 0.7's defaults.
/// </summary>
public sealed record OperatorConfig(
    string HostName,
    string DataDir,
    string JobDir,
    string ServiceDir,
    int Nodes,
    int Concurrency,
    string SshAlias,
    bool UseSlurm,
    string RabbitUser,
    string RabbitHost,
    string RabbitPort,
    string RabbitVhost)
{
    /// <summary>0.7's defaults for a new file: the machine's name, the home directory, 2 × 2, Galactica_storage.</summary>
    public static OperatorConfig Defaults(string home, string machineName) =>
        new(machineName.ToLowerInvariant(), home, home, home, SettingsLoader.DefaultNodes, SettingsLoader.DefaultConcurrency,
            SettingsLoader.DefaultStorageSshAlias, false, "", "", "5672", "");

    /// <summary>The current values of a terminus.env (0.7's or ours); what it lacks keeps the default.</summary>
    public static OperatorConfig From(IReadOnlyDictionary<string, string> file, OperatorConfig defaults)
    {
        string Get(string key, string fallback) => file.TryGetValue(key, out var v) && !EnvFile.IsUnset(v) ? v : fallback;
        int Count(string ours, string celeryKey, CeleryParser parse, int fallback)
        {
            if (file.TryGetValue(ours, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
            return file.TryGetValue(celeryKey, out var c) && parse(c, out _) is { } parsed ? parsed : fallback;
        }
        return new OperatorConfig(
            Get("TERMINUS_HOSTNAME", defaults.HostName).ToLowerInvariant(),
            Get("TERMINUS_DATA_DIR", defaults.DataDir),
            Get("TERMINUS_JOB_DIR", defaults.JobDir),
            Get("TERMINUS_SERVICE_DIR", defaults.ServiceDir),
            Count("TERMINUS_NODES", "CELERYD_NODES", CeleryWorkerLayout.ParseJobNodes, defaults.Nodes),
            Count("TERMINUS_CONCURRENCY", "CELERYD_OPTS", CeleryWorkerLayout.ParseConcurrency, defaults.Concurrency),
            Get("GALACSTORAGE_SSH_ALIAS", defaults.SshAlias),
            long.TryParse(Get("TERMINUS_USE_SLURM", "0").Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s > 0 : defaults.UseSlurm,
            Get("RABBITMQ_USERNAME", defaults.RabbitUser),
            Get("RABBITMQ_HOST", defaults.RabbitHost),
            Get("RABBITMQ_PORT", defaults.RabbitPort),
            Get("RABBITMQ_VIRTUAL_HOST", defaults.RabbitVhost));
    }

    private delegate int? CeleryParser(string value, out string? error);

    /// <summary>The keys written to terminus.env, 0.7's names; nodes and concurrency also in 0.7's Celery lines.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> ToEnv(string dotDir) =>
    [
        new("TERMINUS_HOSTNAME", HostName),
        new("TERMINUS_DOT_DIR", dotDir),
        new("TERMINUS_DATA_DIR", DataDir),
        new("TERMINUS_JOB_DIR", JobDir),
        new("TERMINUS_SERVICE_DIR", ServiceDir),
        new("TERMINUS_USE_SLURM", UseSlurm ? "1" : "0"),
        new("GALACSTORAGE_SSH_ALIAS", SshAlias),
        new("RABBITMQ_USERNAME", Empty(RabbitUser)),
        new("RABBITMQ_HOST", Empty(RabbitHost)),
        new("RABBITMQ_PORT", Empty(RabbitPort)),
        new("RABBITMQ_VIRTUAL_HOST", Empty(RabbitVhost)),
        new("TERMINUS_NODES", Nodes.ToString(CultureInfo.InvariantCulture)),
        new("TERMINUS_CONCURRENCY", Concurrency.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>0.7's celery-multi lines for this layout (kept in step when the file has them).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> CeleryLines()
    {
        var nodes = string.Join(' ', Enumerable.Range(1, Nodes).Select(i => $"job_worker{i}@{HostName}.terminus")) + $" monitor@{HostName}.terminus";
        var opts = string.Create(CultureInfo.InvariantCulture,
            $"--concurrency={Concurrency} -Q {HostName}.terminus_jobs -c:{Nodes + 1} 1 -Q:{Nodes + 1} {HostName}.monitor");
        return [new("CELERYD_NODES", nodes), new("CELERYD_OPTS", opts)];
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
