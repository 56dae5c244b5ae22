using System.Diagnostics;

namespace Terminus.Bench;

/// <summary>A lab machine in a temp directory (example services and snapshot) and the daemon process running on it.</summary>
internal sealed class BenchSite : IAsyncDisposable
{
    private Process? _daemon;
    private readonly List<string> _output = new();

    public BenchSite(string repoRoot, string hostName, int concurrency)
    {
        RepoRoot = repoRoot;
        HostName = hostName;
        Concurrency = concurrency;
        Root = Directory.CreateTempSubdirectory("terminus-bench-").FullName;
        foreach (var d in new[] { DotDir, Path.Combine(DotDir, "_secret"), DataDir, JobDir, ServiceDir }) Directory.CreateDirectory(d);
        foreach (var example in Directory.GetDirectories(Path.Combine(repoRoot, "examples", "services")))
        {
            var target = Directory.CreateDirectory(Path.Combine(ServiceDir, Path.GetFileName(example))).FullName;
            foreach (var file in Directory.GetFiles(example)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        Run("/usr/bin/python3", Path.Combine(repoRoot, "examples", "data", "make_snapshot.py"), DataDir);
    }

    public string RepoRoot { get; }
    public string HostName { get; }
    public int Concurrency { get; }
    public string Root { get; }
    public string DotDir => Path.Combine(Root, ".terminus");
    public string DataDir => Path.Combine(Root, "data");
    public string JobDir => Path.Combine(Root, "jobs");
    public string ServiceDir => Path.Combine(Root, "services");

    public async Task StartDaemonAsync(string daemonDll, Uri amqp, string sshAlias, IDictionary<string, string>? extra = null)
    {
        var user = amqp.UserInfo.Split(':');
        File.WriteAllText(Path.Combine(DotDir, "_secret", "rabbitmq_server_pwd"), Uri.UnescapeDataString(user[1]));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(daemonDll);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("TERMINUS_") || k.StartsWith("RABBITMQ_")).ToList()) psi.Environment.Remove(key);
        var env = new Dictionary<string, string>
        {
            ["TERMINUS_HOSTNAME"] = HostName, ["TERMINUS_DOT_DIR"] = DotDir, ["TERMINUS_DATA_DIR"] = DataDir,
            ["TERMINUS_JOB_DIR"] = JobDir, ["TERMINUS_SERVICE_DIR"] = ServiceDir, ["TERMINUS_USE_SLURM"] = "0",
            ["TERMINUS_NODES"] = "1", ["TERMINUS_CONCURRENCY"] = Concurrency.ToString(),
            ["RABBITMQ_USERNAME"] = Uri.UnescapeDataString(user[0]), ["RABBITMQ_HOST"] = amqp.Host,
            ["RABBITMQ_PORT"] = amqp.Port.ToString(), ["RABBITMQ_VIRTUAL_HOST"] = Uri.UnescapeDataString(amqp.AbsolutePath.TrimStart('/')),
            ["GALACSTORAGE_SSH_ALIAS"] = sshAlias,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        foreach (var (k, v) in env) psi.Environment[k] = v;
        _daemon = Process.Start(psi)!;
        _daemon.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (_output) _output.Add(l); };
        _daemon.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (_output) _output.Add(l); };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Said($"Consuming queue {HostName}.terminus_jobs"))
        {
            if (_daemon.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException("the daemon did not start:\n" + Output);
            await Task.Delay(50);
        }
    }

    public int DaemonPid => _daemon!.Id;

    /// <summary>The ledger's bytes on disk: the database and its write-ahead log.</summary>
    public long LedgerBytes => Directory.Exists(Path.Combine(DotDir, "ledger"))
        ? new DirectoryInfo(Path.Combine(DotDir, "ledger")).GetFiles("terminus-ledger.db*").Where(f => !f.Name.EndsWith(".lock")).Sum(f => f.Length)
        : 0;

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>The daemon's log file (its lines carry milliseconds, the console's only seconds).</summary>
    public string FileLog => Directory.Exists(Path.Combine(DotDir, "logs"))
        ? string.Concat(Directory.GetFiles(Path.Combine(DotDir, "logs"), "terminus-*.log").Order().Select(File.ReadAllText))
        : "";

    private bool Said(string text) { lock (_output) return _output.Any(l => l.Contains(text, StringComparison.Ordinal)); }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {p.StandardError.ReadToEnd()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            Process.Start("kill", ["-TERM", _daemon.Id.ToString()])!.WaitForExit();
            if (!_daemon.WaitForExit(60_000)) _daemon.Kill(entireProcessTree: true);
        }
        _daemon?.Dispose();
        await Task.CompletedTask;
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
