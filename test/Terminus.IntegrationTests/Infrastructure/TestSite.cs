using Terminus.Core.Configuration;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>
/// A lab machine in a directory of its own (see <see cref="ItEnvironment.NewSiteRoot"/>): dot dir with the password file, data (the example snapshot), job and
/// service directories with the example services of <c>examples/</c> (<c>density_map</c>, <c>slow_echo</c>,
/// <c>bash_hello</c>), one service without <c>service.json</c> and one with invalid JSON. Uploads go to the
/// loopback storage; <c>slow_echo</c> appends a line per run to <see cref="TraceFile"/>.
/// </summary>
public sealed class TestSite : IDisposable
{
    public TestSite(string? hostName = null, int nodes = 1, int concurrency = 2)
    {
        HostName = hostName ?? ItEnvironment.NewHostName();
        Nodes = nodes;
        Concurrency = concurrency;
        MetricsPort = FreePort();
        Root = ItEnvironment.NewSiteRoot("terminus-site-");
        foreach (var d in new[] { DotDir, DataDir, JobDir, ServiceDir, Path.Combine(DotDir, "_secret") }) Directory.CreateDirectory(d);
        var uri = new Uri(ItEnvironment.AmqpUri);
        File.WriteAllText(Path.Combine(DotDir, "_secret", "rabbitmq_server_pwd"), Uri.UnescapeDataString(uri.UserInfo.Split(':')[1]) + "\n");
        foreach (var example in Directory.GetDirectories(Path.Combine(ItEnvironment.RepoRoot, "examples", "services")))
        {
            var target = Directory.CreateDirectory(Path.Combine(ServiceDir, Path.GetFileName(example))).FullName;
            foreach (var file in Directory.GetFiles(example)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        AddService("nojson", null);
        AddService("badjson", "{\"job\": {\"type\": \"python\",");
        MakeSnapshot(DataDir);
    }

    /// <summary>The port of this site's daemon's /metrics (a free one: daemons of parallel tests must not share one).</summary>
    public int MetricsPort { get; }

    public string MetricsUrl => $"http://127.0.0.1:{MetricsPort}/metrics";

    private static readonly HttpClient Scraper = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>What this site's daemon's /metrics serves now, as a plain scrape would get it.</summary>
    public Task<string> ScrapeMetricsAsync() => Scraper.GetStringAsync(MetricsUrl);

    /// <summary>A TCP port free on loopback now (the kernel's pick).</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The example snapshot GAL_FORMATION/TEST_GALAXY/SIMU_1/output_00003 (examples/data/make_snapshot.py).</summary>
    public static void MakeSnapshot(string dataDir)
    {
        var script = Path.Combine(ItEnvironment.RepoRoot, "examples", "data", "make_snapshot.py");
        var result = ProcessRunner.RunAsync("/usr/bin/python3", [script, dataDir, "--particles", "2000"], TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (result.ExitCode != 0) throw new InvalidOperationException($"make_snapshot.py failed: {result.StdErr}");
    }

    public string HostName { get; }
    public int Nodes { get; }
    public int Concurrency { get; }
    public string Root { get; }
    public string DotDir => Path.Combine(Root, ".terminus");
    public string DataDir => Path.Combine(Root, "data");
    public string JobDir => Path.Combine(Root, "jobs");
    public string ServiceDir => Path.Combine(Root, "services");
    public string LogDir => Path.Combine(DotDir, "logs");
    public string TraceFile => Path.Combine(Root, "runs.trace");
    public string FailedDir => Path.Combine(JobDir, "__failed");

    /// <summary>The lines slow_echo wrote to the trace file for a job: one per run of its service.</summary>
    public IReadOnlyList<string> RunsOf(long jobId) =>
        File.Exists(TraceFile) ? File.ReadAllLines(TraceFile).Where(l => l.StartsWith($"{jobId}_", StringComparison.Ordinal)).ToList() : [];

    public void AddService(string name, string? serviceJson, string script = "def run(data_path, data_ref, test=False, **kwargs):\n    pass\n")
    {
        var dir = Directory.CreateDirectory(Path.Combine(ServiceDir, name)).FullName;
        File.WriteAllText(Path.Combine(dir, name + ".py"), script);
        if (serviceJson is not null) File.WriteAllText(Path.Combine(dir, "service.json"), serviceJson);
    }

    /// <summary>The daemon's environment, as an operator would set it (the broker host by DNS name).</summary>
    public Dictionary<string, string> Environment()
    {
        var uri = new Uri(ItEnvironment.AmqpUri);
        return new Dictionary<string, string>
        {
            ["HOME"] = Root,
            ["TERMINUS_HOSTNAME"] = HostName,
            ["TERMINUS_DOT_DIR"] = DotDir,
            ["TERMINUS_DATA_DIR"] = DataDir,
            ["TERMINUS_JOB_DIR"] = JobDir,
            ["TERMINUS_SERVICE_DIR"] = ServiceDir,
            ["TERMINUS_USE_SLURM"] = "0",
            ["TERMINUS_NODES"] = Nodes.ToString(),
            ["TERMINUS_CONCURRENCY"] = Concurrency.ToString(),
            ["RABBITMQ_USERNAME"] = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]),
            ["RABBITMQ_HOST"] = uri.Host == "127.0.0.1" ? "localhost" : uri.Host,
            ["RABBITMQ_PORT"] = uri.Port.ToString(),
            ["RABBITMQ_VIRTUAL_HOST"] = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            ["GALACSTORAGE_SSH_ALIAS"] = ItEnvironment.StorageAlias,
            ["TERMINUS_SERVICE_ENV"] = "TERMINUS_TEST_TRACE",
            ["TERMINUS_TEST_TRACE"] = TraceFile,
            ["TERMINUS_METRICS"] = $"127.0.0.1:{MetricsPort}",
        };
    }

    public TerminusSettings Settings()
    {
        var loaded = SettingsLoader.Load(Environment().ToDictionary(kv => kv.Key, kv => (string?)kv.Value), Root);
        if (!loaded.IsValid) throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        return loaded.Settings!;
    }

    public static string JobArgs(long jobId, string service = "density_map", string sim = "SIMU_1", string dataRef = "\"output_00003\"") =>
        $"[{jobId}, \"{service}\", \"GAL_FORMATION\", \"TEST_GALAXY\", \"{sim}\", {dataRef}]";

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
