using System.Diagnostics;
using System.Globalization;
using Terminus.Bench;

// Terminus.Actors job-overhead benchmark (scripts/bench.sh runs it with a loopback broker and storage):
// what a job costs beyond its service's own run time, phase by phase, measured from the portal's side.
//   terminus-bench <daemon.dll> [jobs=20] [service_seconds=0.2]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var dll = args.Length > 0 ? args[0] : throw new ArgumentException("usage: terminus-bench <terminus-daemon.dll> [jobs] [service_seconds]");
var jobs = args.Length > 1 ? int.Parse(args[1]) : 20;
var serviceSeconds = args.Length > 2 ? double.Parse(args[2]) : 0.2;
var amqp = new Uri(Environment.GetEnvironmentVariable("AMQP_URI") ?? "amqp://terminus:terminus-pass@127.0.0.1:5672/terminus");
var alias = Environment.GetEnvironmentVariable("SSH_ALIAS") ?? "Galactica_storage";
var storage = Environment.GetEnvironmentVariable("STORAGE_DIR") ?? "/home/storage";
var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
var host = $"bench{Environment.ProcessId}";
long nextId = 900_000_000 + Random.Shared.Next(0, 1000) * 1000L;

Console.WriteLine($"Terminus.Actors job overhead: {jobs} jobs per scenario, service slow_echo sleeping {serviceSeconds} s, " +
                  $"{Environment.ProcessorCount} cores, broker {amqp.Host}:{amqp.Port}, storage '{alias}:'");
await using var site = new BenchSite(repo, host, concurrency: 4);
await using var portal = new Portal(amqp, host);
await portal.StartAsync();
var startup = Stopwatch.StartNew();
await site.StartDaemonAsync(dll, amqp, alias);
Console.WriteLine($"daemon started and consuming in {startup.ElapsedMilliseconds} ms");

// Warm-up (JIT, first ssh connection), not counted.
await RunOne(nextId++, test: false);

var full = new List<double[]>();
var testMode = new List<double[]>();
for (var i = 0; i < jobs; i++) full.Add(await RunOne(nextId++, test: false));
for (var i = 0; i < jobs; i++) testMode.Add(await RunOne(nextId++, test: true));

Console.WriteLine();
Console.WriteLine($"one job at a time, seconds (median / p95 / max over {jobs} jobs):");
Print("publish -> pending", full.Select(p => p[0]));
Print("pending -> running", full.Select(p => p[1]));
Print($"running -> success (service sleeps {serviceSeconds} s)", full.Select(p => p[2]));
Print("success -> uploaded (tar + rsync/ssh)", full.Select(p => p[3]));
Print("publish -> uploaded", full.Select(p => p[4]));
Print("overhead = publish -> uploaded - service time", full.Select(p => p[4] - serviceSeconds));
Print("test mode: publish -> success", testMode.Select(p => p[4]));
Print("test mode overhead (no upload)", testMode.Select(p => p[4] - serviceSeconds));

// A burst: more jobs than slots, all published at once.
var burst = Stopwatch.StartNew();
var ids = Enumerable.Range(0, jobs).Select(_ => nextId++).ToArray();
foreach (var id in ids) await portal.SubmitAsync(id, "slow_echo", Kwargs(false));
foreach (var id in ids) await portal.WaitForAsync(id, "uploaded", TimeSpan.FromMinutes(5));
var wall = burst.Elapsed.TotalSeconds;
var sequential = full.Sum(p => p[4]);
Console.WriteLine();
Console.WriteLine($"burst of {jobs} jobs published at once, {site.Concurrency} job slots: {wall:0.00} s wall, {jobs / wall:0.0} jobs/s, " +
                  $"against {sequential:0.00} s for the same jobs one at a time (speed-up {sequential / wall:0.00}x on {Environment.ProcessorCount} cores)");
return 0;

IReadOnlyDictionary<string, object?> Kwargs(bool test) => new Dictionary<string, object?> { ["seconds"] = serviceSeconds, ["test"] = test };

async Task<double[]> RunOne(long id, bool test)
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
