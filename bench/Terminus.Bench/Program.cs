using System.Diagnostics;
using System.Globalization;
using Terminus.Bench;

// Terminus.Actors job-overhead benchmark (scripts/bench.sh runs it with a loopback broker and storage):
// what a job costs beyond its service's own run time, phase by phase, measured from the portal's side.
//   terminus-bench <daemon.dll> [jobs=20] [service_seconds=0.2] [baseline-daemon.dll]
//   terminus-bench sandbox <daemon.dll> [jobs] [service_seconds]   the daemon with its sandbox against itself without
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "ledger")
{
    await LedgerBench.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 2000);
    return 0;
}
var sandboxCompare = args.Length > 0 && args[0] == "sandbox";
if (sandboxCompare) args = args[1..];
var dll = args.Length > 0 ? args[0] : throw new ArgumentException(
    "usage: terminus-bench <terminus-daemon.dll> [jobs] [service_seconds] [baseline-daemon.dll] | terminus-bench sandbox <terminus-daemon.dll> [jobs] [service_seconds] | terminus-bench ledger [writes]");
var jobs = args.Length > 1 ? int.Parse(args[1]) : 20;
var serviceSeconds = args.Length > 2 ? double.Parse(args[2]) : 0.2;
// What is measured, and what it is measured against (twice, around it, so a drifting machine shows).
var subject = sandboxCompare
    ? new Variant("this build, TERMINUS_SANDBOX=on", dll, new() { ["TERMINUS_SANDBOX"] = "on" })
    : new Variant("this build", dll, []);
Variant? reference = sandboxCompare
    ? new Variant("this build, TERMINUS_SANDBOX=off", dll, new() { ["TERMINUS_SANDBOX"] = "off" })
    : args.Length > 3 ? new Variant("baseline", args[3], []) : null;
// The scale runs (0 leaves one out): a burst of tiny jobs, and a flood of requests for a service that does not exist.
var scaleBurst = int.TryParse(Environment.GetEnvironmentVariable("BENCH_BURST"), out var b) ? b : 200;
var scaleFlood = int.TryParse(Environment.GetEnvironmentVariable("BENCH_FLOOD"), out var f) ? f : 1000;
// The ledger's growth: more floods of at most 1,000 unknown-service requests until this many requests were sent in all (0: none).
var ledgerRequests = int.TryParse(Environment.GetEnvironmentVariable("BENCH_LEDGER_REQUESTS"), out var l) ? l : 0;
var amqp = new Uri(Environment.GetEnvironmentVariable("AMQP_URI") ?? "amqp://terminus:terminus-pass@127.0.0.1:5672/terminus");
var alias = Environment.GetEnvironmentVariable("SSH_ALIAS") ?? "Galactica_storage";
var storage = Environment.GetEnvironmentVariable("STORAGE_DIR") ?? "/home/storage";
var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
long nextId = 900_000_000 + Random.Shared.Next(0, 1000) * 1000L;

Console.WriteLine($"Terminus.Actors job overhead: {jobs} jobs per scenario, service slow_echo sleeping {serviceSeconds} s, " +
                  $"{Environment.ProcessorCount} cores, broker {amqp.Host}:{amqp.Port}, storage '{alias}:'");
var results = new List<(string Name, bool IsReference, Measurement M)>();
if (reference is not null) results.Add(($"{reference.Name} {Describe(reference.Dll)}", true, await MeasureAsync(reference)));
results.Add(($"{subject.Name} {Describe(subject.Dll)}", false, await MeasureAsync(subject)));
if (reference is not null) results.Add(($"{reference.Name}, again {Describe(reference.Dll)}", true, await MeasureAsync(reference)));

foreach (var (name, _, m) in results)
{
    Console.WriteLine();
    Console.WriteLine($"{name}: daemon consuming {m.StartupMs} ms after start; one job at a time, seconds (median / p95 / max over {jobs} jobs):");
    Print("publish -> pending", m.Full.Select(p => p[0]));
    Print("pending -> running", m.Full.Select(p => p[1]));
    Print($"running -> success (service sleeps {serviceSeconds} s)", m.Full.Select(p => p[2]));
    Print("success -> uploaded (tar + rsync/ssh)", m.Full.Select(p => p[3]));
    Print("publish -> uploaded", m.Full.Select(p => p[4]));
    Print("overhead = publish -> uploaded - service time", m.Full.Select(p => p[4] - serviceSeconds));
    Print("test mode: publish -> success", m.TestMode.Select(p => p[4]));
    Print("test mode overhead (no upload)", m.TestMode.Select(p => p[4] - serviceSeconds));
    Console.WriteLine($"  burst of {jobs} jobs published at once, 4 job slots: {m.BurstSeconds:0.00} s wall, {jobs / m.BurstSeconds:0.0} jobs/s, " +
                      $"against {m.Full.Sum(p => p[4]):0.00} s one at a time (speed-up {m.Full.Sum(p => p[4]) / m.BurstSeconds:0.00}x on {Environment.ProcessorCount} cores)");
    foreach (var r in m.Scale) Console.WriteLine($"  {r}");
    Console.WriteLine($"  ledger at the end: {m.LedgerBytes / 1024.0 / 1024:0.0} MiB (database and write-ahead log) after {m.Requests} requests, "
                      + $"{m.LedgerBytes / (double)m.Requests:0} bytes per request");
}
if (reference is not null)
{
    double Median(IEnumerable<double> v) { var a = v.Order().ToArray(); return a[a.Length / 2]; }
    var now = results.Single(r => !r.IsReference).M;
    var before = results.Where(r => r.IsReference).Select(r => r.M).ToList();
    Console.WriteLine();
    Console.WriteLine($"{subject.Name} / {reference.Name} (median overhead beyond the service; the latter = mean of its two runs around the former):");
    Console.WriteLine($"  full job   {Median(now.Full.Select(p => p[4] - serviceSeconds)) * 1000:0} ms / {before.Average(b => Median(b.Full.Select(p => p[4] - serviceSeconds))) * 1000:0} ms");
    Console.WriteLine($"  test mode  {Median(now.TestMode.Select(p => p[4] - serviceSeconds)) * 1000:0} ms / {before.Average(b => Median(b.TestMode.Select(p => p[4] - serviceSeconds))) * 1000:0} ms");
    Console.WriteLine($"  publish -> pending  {Median(now.Full.Select(p => p[0])) * 1000:0} ms / {before.Average(b => Median(b.Full.Select(p => p[0]))) * 1000:0} ms");
    foreach (var scale in now.Scale)
    {
        var others = before.Select(b => b.Scale.FirstOrDefault(r => r.Name == scale.Name)).OfType<ScaleResult>().ToList();
        if (others.Count == 0) continue;
        Console.WriteLine($"  {scale.Name}: {scale.Seconds:0.00} s / {others.Average(o => o.Seconds):0.00} s wall (ratio {scale.Seconds / others.Average(o => o.Seconds):0.00}); "
            + $"peak daemon RSS {scale.PeakDaemonMb:0} / {others.Average(o => o.PeakDaemonMb):0} MiB");
    }
}
return 0;

string Describe(string path) => $"({Path.GetFullPath(path).Replace(repo, ".")})";

async Task<Measurement> MeasureAsync(Variant variant)
{
    var host = $"bench{Environment.ProcessId}x{nextId % 100000}";
    await using var site = new BenchSite(repo, host, concurrency: 4);
    await using var portal = new Portal(amqp, host);
    await portal.StartAsync();
    var startup = Stopwatch.StartNew();
    await site.StartDaemonAsync(variant.Dll, amqp, alias, variant.Environment);
    var startupMs = startup.ElapsedMilliseconds;

    await RunOne(portal, site, nextId++, test: false); // warm-up (JIT, first ssh connection), not counted
    var full = new List<double[]>();
    var testMode = new List<double[]>();
    for (var i = 0; i < jobs; i++) full.Add(await RunOne(portal, site, nextId++, test: false));
    for (var i = 0; i < jobs; i++) testMode.Add(await RunOne(portal, site, nextId++, test: true));

    var burst = Stopwatch.StartNew();
    var ids = Enumerable.Range(0, jobs).Select(_ => nextId++).ToArray();
    foreach (var id in ids) await portal.SubmitAsync(id, "slow_echo", Kwargs(false));
    foreach (var id in ids)
    {
        await portal.WaitForAsync(id, "uploaded", TimeSpan.FromMinutes(5));
        File.Delete(Path.Combine(storage, $"{id}_slow_echo.tar.gz"));
    }
    var burstSeconds = burst.Elapsed.TotalSeconds; // before the scale runs, which follow

    var scale = new List<ScaleResult>();
    if (scaleBurst > 0)
        scale.Add(await ScaleAsync(portal, site, $"burst of {scaleBurst} tiny jobs", scaleBurst, "slow_echo", new() { ["seconds"] = 0, ["test"] = false }, "uploaded"));
    if (scaleFlood > 0)
        scale.Add(await ScaleAsync(portal, site, $"flood of {scaleFlood} requests for a missing service", scaleFlood, "no_such_service", new() { ["test"] = false }, "failed"));
    var requests = 1 + 3 * jobs + scaleBurst + scaleFlood;
    while (requests < ledgerRequests)
    {
        var n = Math.Min(1000, ledgerRequests - requests);
        await ScaleAsync(portal, site, "ledger flood", n, "no_such_service", new() { ["test"] = false }, "failed");
        requests += n;
    }
    if (Environment.GetEnvironmentVariable("BENCH_DAEMON_LOG") is { Length: > 0 } logFile) File.AppendAllText(logFile, site.FileLog);
    return new Measurement(startupMs, full, testMode, burstSeconds, scale, site.LedgerBytes, requests);
}

// Publishes n requests at once (all in flight together, each confirmed: a Celery client does not even wait for confirms), until each reached its
// end; meanwhile probes the host every 200 ms and samples the memory of the daemon and of its process tree.
async Task<ScaleResult> ScaleAsync(Portal portal, BenchSite site, string name, int n, string service, Dictionary<string, object?> kwargs, string terminal)
{
    using var sampler = new ResourceSampler(site.DaemonPid);
    var ids = Enumerable.Range(0, n).Select(_ => nextId++).ToArray();
    using var stopProbes = new CancellationTokenSource();
    var probes = new List<double>();
    var lost = 0;
    var probing = Task.Run(async () =>
    {
        while (!stopProbes.IsCancellationRequested)
        {
            if (await portal.ProbeAsync() is { } rtt) lock (probes) probes.Add(rtt); else Interlocked.Increment(ref lost);
            try { await Task.Delay(200, stopProbes.Token); } catch (OperationCanceledException) { }
        }
    });
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(ids.Select(id => portal.SubmitAsync(id, service, kwargs))); // confirmed, but not one round trip each
    var published = clock.Elapsed.TotalSeconds;
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
    while (portal.CountEnded(ids, terminal, "failed", "timed_out") < n)
    {
        if (DateTime.UtcNow > deadline) throw new TimeoutException($"{name}: {portal.CountEnded(ids, terminal, "failed", "timed_out")} of {n} ended in 15 min\n{site.Output}");
        await Task.Delay(10);
    }
    var seconds = clock.Elapsed.TotalSeconds;
    stopProbes.Cancel();
    await probing;
    if (terminal == "uploaded") foreach (var id in ids) File.Delete(Path.Combine(storage, $"{id}_{service}.tar.gz"));
    double[] p;
    lock (probes) p = [.. probes.Order()];
    sampler.Dispose();
    return new ScaleResult(name, n, seconds, published, p.Length == 0 ? double.NaN : p[p.Length / 2], p.Length == 0 ? double.NaN : p[^1], lost,
        sampler.PeakDaemonMb, sampler.PeakTreeMb, sampler.DaemonCpuSeconds, sampler.TreeCpuSeconds);
}

IReadOnlyDictionary<string, object?> Kwargs(bool test) => new Dictionary<string, object?> { ["seconds"] = serviceSeconds, ["test"] = test };

async Task<double[]> RunOne(Portal portal, BenchSite site, long id, bool test)
{
    var sent = await portal.SubmitAsync(id, "slow_echo", Kwargs(test));
    var s = await portal.WaitForAsync(id, test ? "success" : "uploaded", TimeSpan.FromMinutes(2));
    double At(string status) => s.FirstOrDefault(x => x.Status == status).At is var t && t > 0 ? t
        : throw new InvalidOperationException($"job {id}: no '{status}' in [{string.Join(", ", s.Select(x => x.Status))}]\n{site.Output}");
    var end = At(test ? "success" : "uploaded");
    if (!test) File.Delete(Path.Combine(storage, $"{id}_slow_echo.tar.gz"));
    return [At("pending") - sent, At("running") - At("pending"), At("success") - At("running"), test ? 0 : end - At("success"), end - sent];
}

static void Print(string what, IEnumerable<double> values)
{
    var v = values.Order().ToArray();
    double Q(double q) => v[Math.Min(v.Length - 1, (int)Math.Ceiling(q * v.Length) - 1)];
    Console.WriteLine($"  {what,-52} {Q(0.5),7:0.000} / {Q(0.95),7:0.000} / {v[^1],7:0.000}");
}

/// <summary>A daemon to measure: its binary and the settings it runs with.</summary>
internal sealed record Variant(string Name, string Dll, Dictionary<string, string> Environment);

internal sealed record Measurement(long StartupMs, List<double[]> Full, List<double[]> TestMode, double BurstSeconds, List<ScaleResult> Scale, long LedgerBytes, int Requests);

internal sealed record ScaleResult(string Name, int Count, double Seconds, double PublishSeconds, double ProbeMedian, double ProbeMax, int ProbesUnanswered,
    double PeakDaemonMb, double PeakTreeMb, double DaemonCpuSeconds, double TreeCpuSeconds)
{
    public override string ToString() =>
        $"{Name}: {Seconds:0.00} s wall ({Count / Seconds:0.0}/s; publishing took {PublishSeconds:0.00} s); probes median {ProbeMedian * 1000:0} ms, "
        + $"max {ProbeMax * 1000:0} ms, {ProbesUnanswered} unanswered; peak RSS daemon {PeakDaemonMb:0} MiB, its process tree {PeakTreeMb:0} MiB; "
        + $"CPU per request: daemon {DaemonCpuSeconds * 1000 / Count:0.0} ms, with its children {TreeCpuSeconds * 1000 / Count:0.0} ms";
}
