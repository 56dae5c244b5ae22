using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
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
/// What one ledger write costs: a persistent actor writes job transitions one at a time (each awaited, as a JobActor
/// does) to the very journal the daemon uses (Akka.Persistence.Sql on SQLite, <see cref="LedgerStore"/>), in WAL
/// mode as shipped and, side by side, in SQLite's default rollback-journal mode.
/// </summary>
internal static class LedgerBench
{
    public static async Task RunAsync(int events)
    {
        Console.WriteLine($"ledger writes: {events} JobMoved records persisted one at a time (Persist, awaited), SQLite file in /tmp");
        var wal = await MeasureAsync(events, wal: true);
        var rollback = await MeasureAsync(events, wal: false);
        Console.WriteLine($"  WAL (shipped)            {wal.Mean:0.000} ms/write mean, {wal.P95:0.000} ms p95");
        Console.WriteLine($"  rollback journal         {rollback.Mean:0.000} ms/write mean, {rollback.P95:0.000} ms p95 (WAL is {rollback.Mean / wal.Mean:0.0}x faster)");
        var deletes = await MeasureDeletesAsync(30);
        Console.WriteLine($"  deleting a retired job's 12 records: {deletes.Mean:0.0} ms mean, {deletes.P95:0.0} ms p95");
        Console.WriteLine($"  a job that uploads writes ~12 records (acceptance, 6 transitions, 4 confirmations, directory): ~{12 * wal.Mean:0.0} ms of ledger time per job");
    }

    private static async Task<(double Mean, double P95)> MeasureAsync(int events, bool wal)
    {
        var dir = Directory.CreateTempSubdirectory("terminus-ledger-bench-").FullName;
        var path = Path.Combine(dir, "ledger.db");
        try
        {
            var builder = QuietHost();
            builder.Services.AddAkka("ledger-bench", (akka, _) => akka.WithLedger(path).ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.WarningLevel));
            using var host = builder.Build();
            await host.StartAsync();
            if (!wal) SetRollbackJournal(path);
            var system = host.Services.GetRequiredService<ActorSystem>();
            var writer = system.ActorOf(Props.Create(() => new Writer()), "writer");
            await writer.Ask<Done>(new Write(50), TimeSpan.FromMinutes(1)); // warm-up: JIT, table creation
            var done = await writer.Ask<Done>(new Write(events), TimeSpan.FromMinutes(5));
            await host.StopAsync();
            var sorted = done.Milliseconds.Order().ToArray();
            return (sorted.Average(), sorted[(int)(0.95 * (sorted.Length - 1))]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A host that logs only warnings (Akka too, below), so that the figures are all the benchmark prints.</summary>
    private static HostApplicationBuilder QuietHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder;
    }

    private static async Task<(double Mean, double P95)> MeasureDeletesAsync(int jobs)
    {
        var dir = Directory.CreateTempSubdirectory("terminus-ledger-bench-").FullName;
        try
        {
            var builder = QuietHost();
            builder.Services.AddAkka("ledger-bench", (akka, _) => akka.WithLedger(Path.Combine(dir, "ledger.db")).ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.WarningLevel));
            using var host = builder.Build();
            await host.StartAsync();
            var system = host.Services.GetRequiredService<ActorSystem>();
            var times = new List<double>();
            for (var j = 0; j < jobs; j++)
            {
                var writer = system.ActorOf(Props.Create(() => new Writer($"job-{j}")));
                await writer.Ask<Done>(new Write(12), TimeSpan.FromMinutes(1));
                times.Add((await writer.Ask<Done>(new Delete(), TimeSpan.FromMinutes(1))).Milliseconds[0]);
            }
            await host.StopAsync();
            var sorted = times.Skip(3).Order().ToArray();
            return (sorted.Average(), sorted[(int)(0.95 * (sorted.Length - 1))]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void SetRollbackJournal(string path)
    {
        using var connection = new SqliteConnection(LedgerFile.ConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=DELETE;";
        command.ExecuteNonQuery();
    }

    private sealed record Write(int Count);
    private sealed record Delete;
    private sealed record Done(double[] Milliseconds);

    private sealed class Writer : ReceivePersistentActor
    {
        private readonly string _id;
        public override string PersistenceId => _id;

        public Writer() : this("job-bench") { }

        public Writer(string id)
        {
            _id = id;
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
