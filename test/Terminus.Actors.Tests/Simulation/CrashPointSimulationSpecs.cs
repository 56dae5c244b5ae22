using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Terminus.Actors.Hosting;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Celery;
using Terminus.Core.Configuration;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Simulation;

/// <summary>
/// Pulsar's invariant, held exhaustively: the daemon (the real actor tree: intake, supervisor, job actors, reporter,
/// step pools) is crashed right after each write to its ledger in turn, then started again on the same ledger
/// with the broker redelivering what was not acked and the services going on as they would. For every crash point:
/// every job gets exactly one terminal status, preceded only by its valid earlier statuses (copies of a status keep
/// its number), its service runs at most once, and a job that ends uploaded left its tarball in the storage.
/// Broker, processes and storage are faked (<see cref="SimulatedWorld"/>); the clock is virtual.
/// </summary>
public sealed class CrashPointSimulationSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly TestTree _tree = new();
    private static readonly CeleryEncoder Encoder = new(new CeleryOrigin("gen1@sim", "sim-app"), ignoreResult: true);
    private int _systems;

    public void Dispose() => _tree.Dispose();

    public sealed record Job(long Id, string Service, string Kwargs, bool ServiceSucceeds, string[] Path);

    public static readonly Dictionary<string, Job[]> Scenarios = new()
    {
        ["uploaded"] = [new(1, "density_map", "{\"test\": false}", true, ["pending", "running", "success", "uploaded"])],
        ["test mode"] = [new(2, "density_map", "{\"test\": true}", true, ["pending", "running", "success"])],
        ["service fails"] = [new(3, "density_map", "{\"test\": false}", false, ["pending", "running", "failed"])],
        ["refused"] = [new(4, "nope", "{\"test\": false}", true, ["failed"])],
        ["two jobs at once"] =
        [
            new(5, "density_map", "{\"test\": false}", true, ["pending", "running", "success", "uploaded"]),
            new(6, "density_map", "{\"test\": false}", false, ["pending", "running", "failed"]),
        ],
    };

    public static TheoryData<string> ScenarioNames => new(Scenarios.Keys);

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task Every_crash_point_ends_with_one_terminal_status_no_second_run_and_no_lost_upload(string scenario)
    {
        var jobs = Scenarios[scenario];
        var (writes, _) = await RunAsync(jobs, crashAfter: null);
        output.WriteLine($"{scenario}: {writes} ledger writes without a crash; crashing after each of them in turn");
        Assert.InRange(writes, jobs.Length * 3, 200);

        for (var k = 1; k <= writes; k++)
        {
            var (_, world) = await RunAsync(jobs, crashAfter: k);
            foreach (var job in jobs) AssertInvariant(scenario, k, job, world);
            Assert.True(world.AllAcked, $"{scenario}, crash after write {k}: a request was never acknowledged");
        }
    }

    [Fact]
    public async Task A_daemon_that_crashes_twice_in_a_row_still_ends_every_job_once()
    {
        var jobs = Scenarios["uploaded"];
        for (var first = 2; first <= 8; first += 3)
        {
            var (_, world) = await RunAsync(jobs, crashAfter: first, secondCrashAfter: 3);
            AssertInvariant("double crash", first, jobs[0], world);
        }
    }

    private void AssertInvariant(string scenario, int k, Job job, SimulatedWorld world)
    {
        var where = $"{scenario}, crash after write {k}, job {job.Id}";
        var statuses = world.StatusesOf(job.Id);
        foreach (var copies in statuses.GroupBy(s => s.Seq))
            Assert.True(copies.Select(c => (c.Status, c.Message)).Distinct().Count() == 1, $"{where}: seq {copies.Key} was sent with different contents");
        var distinct = statuses.GroupBy(s => s.Seq).OrderBy(g => g.Key).Select(g => g.First()).ToList();
        Assert.True(distinct.Select(d => d.Seq).SequenceEqual(Enumerable.Range(1, distinct.Count).Select(i => (long)i)),
            $"{where}: numbers {string.Join(",", distinct.Select(d => d.Seq))} are not 1..n");
        Assert.True(job.Path.SequenceEqual(distinct.Select(d => d.Status)),
            $"{where}: the portal saw [{string.Join(", ", distinct.Select(d => d.Status))}], expected [{string.Join(", ", job.Path)}]");
        var launches = world.Services.TryGetValue(job.Id, out var run) ? run.Launches : 0;
        Assert.True(launches == (job.Path.Contains("running") ? 1 : 0), $"{where}: the service was started {launches} times");
        if (job.Path[^1] == "uploaded")
            Assert.True(world.Uploads.GetValueOrDefault(job.Id) >= 1, $"{where}: uploaded, but nothing reached the storage");
    }

    /// <summary>Runs the scenario, crashing the daemon after the given ledger write(s); returns the writes of the first incarnation.</summary>
    private async Task<(int Writes, SimulatedWorld World)> RunAsync(Job[] jobs, int? crashAfter, int? secondCrashAfter = null)
    {
        var store = $"sim-{Guid.NewGuid():N}";
        var world = new SimulatedWorld();
        foreach (var job in jobs) world.Send(job.Id, job.Service, job.Kwargs);
        bool Succeeds(long id) => jobs.Single(j => j.Id == id).ServiceSucceeds;

        var ledger = SharedMemoryJournal.Stores.GetOrAdd(store, _ => new SharedMemoryJournal.Store());
        ledger.CrashAfter = crashAfter;
        ledger.OnCrash = () => world.Crashed = true;
        await RunIncarnationAsync(store, world, jobs, Succeeds, redelivered: false);
        var writes = ledger.Writes;
        var crashes = crashAfter is null ? 0 : 1;
        while (world.Crashed)
        {
            Assert.True(crashes <= 2, "the daemon kept crashing");
            ledger.Recover();
            if (secondCrashAfter is { } again && crashes == 1) { ledger.CrashAfter = ledger.Writes + again; crashes++; }
            world.Crashed = false;
            await RunIncarnationAsync(store, world, jobs, Succeeds, redelivered: true);
        }
        SharedMemoryJournal.Stores.TryRemove(store, out _);
        return (writes, world);
    }

    private async Task RunIncarnationAsync(string store, SimulatedWorld world, Job[] jobs, Func<long, bool> succeeds, bool redelivered)
    {
        var config = ConfigurationFactory.ParseString(Environment.GetEnvironmentVariable("SIM_LOG") is { } level ? $"akka.loglevel = {level}" : "akka.loglevel = OFF").WithFallback(TestConfigs.VirtualTimeWithLedger(store));
        var system = ActorSystem.Create($"sim{Interlocked.Increment(ref _systems)}", config);
        try
        {
            var gate = new AdmissionGate(4);
            var actors = TerminusHostingExtensions.StartActors(system, Settings(), world.Runtime(succeeds), gate, Encoder);
            _ = new JobIntake(actors.Supervisor, gate, system.Log).Graph(ChannelSource.FromReader(world.Consume(redelivered))).Run(system.Materializer());

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!world.Crashed)
            {
                world.FinishRunningServices();
                if (jobs.All(j => world.StatusesOf(j.Id).Any(s => s.Status == j.Path[^1])) && world.AllAcked
                    && (await actors.Supervisor.Ask<LiveJobs>(GetLiveJobs.Instance, TimeSpan.FromSeconds(5))).JobIds.Count == 0)
                    return;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"no end within 30 s (incarnation {system.Name}, redelivered={redelivered}): portal saw [{string.Join(", ", world.Portal.Select(p => $"{p.JobId}:{p.Status}#{p.Seq}"))}], " +
                                $"all acked: {world.AllAcked}, gate {gate.Occupied}/{gate.Capacity} {gate.ClosedBecause ?? "open"}, " +
                                $"live: [{string.Join(", ", (await actors.Supervisor.Ask<LiveJobs>(GetLiveJobs.Instance, TimeSpan.FromSeconds(5))).JobIds)}]");
                await Task.Delay(10);
            }
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private TerminusSettings Settings()
    {
        var settings = new TerminusSettings("simhost", Path.Combine(_tree.Root, ".terminus"), Path.Combine(_tree.Root, "data"), _tree.JobRoot,
            Path.Combine(_tree.Root, "services"), false, "Galactica_storage", 1, 4, new BrokerSettings("localhost", 5672, "terminus", "u", "p", false))
        {
            Execution = ExecutionSettings.Default with { MinFreeBytes = 0 }, // the host's disk is not what is simulated
        };
        Directory.CreateDirectory(Path.GetDirectoryName(settings.LedgerPath)!); // the journal is in memory, but its directory is watched
        return settings;
    }
}
