using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Terminus.Actors.Ledger;
using Terminus.Infrastructure.Ledger;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;

namespace Terminus.Bench;

/// <summary>
/// What the ledger costs, on the very journal the daemon uses (<see cref="LedgerStore"/>: our journal plugin with group
/// commit) and, side by side, on the Akka.Persistence.Sql journal it replaced, both on SQLite files in WAL mode: one
/// writer persisting job transitions one at a time (each awaited, as a JobActor does), many writers at once (jobs in
/// parallel), a job's recovery, and the deletion of a retired job's journal.
/// </summary>
internal static class LedgerBench
{
    private const int Concurrent = 32;

    public static async Task RunAsync(int events)
    {
        Console.WriteLine($"ledger: {events} JobMoved records persisted one at a time (Persist, awaited); {Concurrent} writers at once; SQLite files in /tmp, WAL");
        var ours = await MeasureAsync(events, sqlPlugin: false);
        var theirs = await MeasureAsync(events, sqlPlugin: true);
        foreach (var (name, m) in new[] { ("our journal (group commit)", ours), ("Akka.Persistence.Sql journal", theirs) })
        {
            Console.WriteLine($"  {name}:");
            Console.WriteLine($"    one writer         {m.One.Mean:0.000} ms/write mean, {m.One.P95:0.000} ms p95");
            Console.WriteLine($"    {Concurrent} writers         {m.WritesPerSecond:0} writes/s, {m.Many.Mean:0.000} ms/write mean, {m.Many.P95:0.000} ms p95");
            Console.WriteLine($"    a job's recovery   {m.Recovery.Mean:0.000} ms mean, {m.Recovery.P95:0.000} ms p95 (a new journal: what every new job does)");
            Console.WriteLine($"    a retired job's 12 records deleted: {m.Delete.Mean:0.00} ms mean, {m.Delete.P95:0.00} ms p95");
        }
        Console.WriteLine($"  ours / Akka.Persistence.Sql: one writer {ours.One.Mean / theirs.One.Mean:0.00}x the time, {Concurrent} writers {ours.WritesPerSecond / theirs.WritesPerSecond:0.0}x the throughput, "
                          + $"recovery {ours.Recovery.Mean / theirs.Recovery.Mean:0.00}x the time");
    }

    private sealed record Stats(double Mean, double P95)
    {
        public static Stats Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return new Stats(sorted.Average(), sorted[(int)(0.95 * (sorted.Length - 1))]);
        }
    }

    private sealed record Figures(Stats One, Stats Many, double WritesPerSecond, Stats Recovery, Stats Delete);

    private static async Task<Figures> MeasureAsync(int events, bool sqlPlugin)
    {
        var dir = Directory.CreateTempSubdirectory("terminus-ledger-bench-").FullName;
        var path = Path.Combine(dir, "ledger.db");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning); // the figures are all the benchmark prints
            builder.Services.AddAkka("ledger-bench", (akka, _) =>
            {
                if (sqlPlugin) SqlPluginLedger(akka, path);
                else akka.WithLedger(path);
                akka.ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.WarningLevel);
            });
            using var host = builder.Build();
            await host.StartAsync();
            var system = host.Services.GetRequiredService<ActorSystem>();
            var warmUp = system.ActorOf(Props.Create(() => new Writer("job-warm-up")));
            await warmUp.Ask<Done>(new Write(50), TimeSpan.FromMinutes(1)); // JIT, table creation

            var one = await system.ActorOf(Props.Create(() => new Writer("job-bench"))).Ask<Done>(new Write(events), TimeSpan.FromMinutes(5));

            var clock = Stopwatch.StartNew();
            var writers = Enumerable.Range(0, Concurrent).Select(i => system.ActorOf(Props.Create(() => new Writer($"job-many-{i}")))).ToList();
            var many = await Task.WhenAll(writers.Select(w => w.Ask<Done>(new Write(events / Concurrent), TimeSpan.FromMinutes(5))));
            var perSecond = many.Sum(d => d.Milliseconds.Length) / clock.Elapsed.TotalSeconds;

            var recoveries = new List<double>();
            var deletes = new List<double>();
            for (var j = 0; j < 60; j++)
            {
                var started = Stopwatch.StartNew();
                var job = system.ActorOf(Props.Create(() => new Writer($"job-recovered-{j}")));
                await job.Ask<Done>(new Write(0), TimeSpan.FromMinutes(1)); // answered once recovered
                recoveries.Add(started.Elapsed.TotalMilliseconds);
                await job.Ask<Done>(new Write(12), TimeSpan.FromMinutes(1));
                deletes.Add((await job.Ask<Done>(new Delete(), TimeSpan.FromMinutes(1))).Milliseconds[0]);
            }
            await host.StopAsync();
            return new Figures(Stats.Of(one.Milliseconds), Stats.Of(many.SelectMany(d => d.Milliseconds)), perSecond,
                Stats.Of(recoveries.Skip(10)), Stats.Of(deletes.Skip(10)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The ledger as it was before our journal: Akka.Persistence.Sql for both the journal and the snapshots.</summary>
    private static void SqlPluginLedger(AkkaConfigurationBuilder akka, string path)
    {
        using (var connection = new SqliteConnection(LedgerFile.ConnectionString(path)))
        {
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        var options = new DataOptions().UseConnectionString(ProviderName.SQLiteMS, LedgerFile.ConnectionString(path))
            .UseAfterConnectionOpened(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = LedgerFile.ConnectionPragmas;
                command.ExecuteNonQuery();
            });
        akka.AddHocon(LedgerStore.SerializerHocon, HoconAddMode.Prepend).WithSqlPersistence(options, PersistenceMode.Both, autoInitialize: true);
    }

    private sealed record Write(int Count);
    private sealed record Delete;
    private sealed record Done(double[] Milliseconds);

    private sealed class Writer : ReceivePersistentActor
    {
        public override string PersistenceId { get; }

        public Writer(string id)
        {
            PersistenceId = id;
            IActorRef? deleteReplyTo = null;
            var deleteClock = new Stopwatch();
            Command<Delete>(_ =>
            {
                deleteReplyTo = Sender;
                deleteClock.Restart();
                DeleteMessages(LastSequenceNr);
            });
            Command<DeleteMessagesSuccess>(_ => deleteReplyTo!.Tell(new Done([deleteClock.Elapsed.TotalMilliseconds])));
            Command<Write>(w =>
            {
                var replyTo = Sender;
                var times = new double[w.Count];
                var i = 0;
                var clock = Stopwatch.StartNew();
                void Next()
                {
                    if (i == w.Count) { replyTo.Tell(new Done(times)); return; }
                    clock.Restart();
                    Persist(new JobMoved(JobPhase.Running, "running", "Job is running.", null, null, DateTimeOffset.UtcNow), _ =>
                    {
                        times[i++] = clock.Elapsed.TotalMilliseconds;
                        Next();
                    });
                }
                Next();
            });
        }
    }
}
