using Microsoft.Data.Sqlite;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Core.Text;

namespace Terminus.Infrastructure.Ledger;

/// <summary>
/// Reads the job ledger without the daemon, read-only (SQLite in WAL mode: safe while the daemon writes), straight
/// from the ledger's tables (those Akka.Persistence.Sql made, which the daemon's plugins still use): the supervisor's
/// snapshot and events, then each live job's events.
/// </summary>
public static class LedgerReader
{
    /// <summary>Every job the ledger holds: live ones, and finished ones (retired at or after <paramref name="finishedSince"/> when given).</summary>
    /// <exception cref="LedgerUnreadableException">The file is there but is no readable ledger.</exception>
    public static IReadOnlyList<JobSummary> Read(string path, DateTimeOffset? finishedSince = null) =>
        WithLedger(path, [], connection => Read(connection, finishedSince));

    /// <summary>One job's history (every run the ledger still keeps), or null when the ledger knows nothing of it.</summary>
    /// <exception cref="LedgerUnreadableException">The file is there but is no readable ledger.</exception>
    public static JobHistory? ReadHistory(string path, long jobId, string jobRoot) => WithLedger(path, null, connection =>
    {
        var ledger = Supervisor(connection);
        var id = new JobId(jobId);
        var lastRun = ledger.Live.TryGetValue(id, out var live) ? live.Run : ledger.Retired.TryGetValue(id, out var retired) ? retired.Run : 0;
        var runs = new List<(int, IReadOnlyList<JournalEntry>)>();
        for (var run = 1; run <= Math.Max(lastRun, 1); run++) runs.Add((run, Entries(connection, PersistenceIds.Job(id, run), includeDeleted: true)));
        var history = JobHistory.Build(jobId, ledger, runs, jobRoot);
        return history.Runs.Count == 0 && !history.Live && history.Retired is null && history.Cancel is null ? null : history;
    });

    private static T WithLedger<T>(string path, T empty, Func<SqliteConnection, T> read)
    {
        if (!File.Exists(path)) return empty;
        try
        {
            using var connection = new SqliteConnection(LedgerFile.ReadOnlyConnectionString(path));
            connection.Open();
            return LedgerFile.TableExists(connection, "journal") ? read(connection) : empty;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new LedgerUnreadableException(path, e);
        }
    }

    /// <summary>The supervisor's state: its last snapshot, then its entries after it.</summary>
    private static LedgerState Supervisor(SqliteConnection connection)
    {
        var ledger = new LedgerState();
        var snapshotSeq = 0L;
        if (LedgerFile.TableExists(connection, "snapshot"))
        {
            using var snap = connection.CreateCommand();
            snap.CommandText = "SELECT sequence_number, manifest, snapshot FROM snapshot WHERE persistence_id = $id ORDER BY sequence_number DESC LIMIT 1";
            snap.Parameters.AddWithValue("$id", PersistenceIds.Supervisor);
            using var r = snap.ExecuteReader();
            if (r.Read() && Record(r.GetString(1), (byte[])r[2]) is LedgerSnapshot s) { ledger.Apply(s); snapshotSeq = r.GetInt64(0); }
        }
        foreach (var entry in Entries(connection, PersistenceIds.Supervisor, includeDeleted: false))
            if (entry.JournalSeq > snapshotSeq) ledger.Apply(entry.Record);
        return ledger;
    }

    private static IReadOnlyList<JobSummary> Read(SqliteConnection connection, DateTimeOffset? finishedSince)
    {
        var ledger = Supervisor(connection);
        var jobs = new List<JobSummary>();
        foreach (var (id, live) in ledger.Live)
        {
            var state = new JobState();
            DateTimeOffset? last = null;
            foreach (var entry in Entries(connection, PersistenceIds.Job(id, live.Run), includeDeleted: false))
            {
                state.Apply(entry.Record);
                last = entry.Record switch { JobMoved m => m.At, JobAccepted a => a.At, _ => last };
            }
            var service = state.Spec?.ServiceName ?? ServiceOf(state.Accepted) ?? "?";
            jobs.Add(new JobSummary(id.Value, service, state.Accepted is null ? "Admitted" : state.Phase.ToString(), true, state.Accepted?.At, last,
                state.Latest?.Status ?? "", state.Latest?.Message ?? "", state.Undelivered.Count(), live.Run));
        }
        foreach (var (id, retired) in ledger.Retired)
        {
            if (ledger.Live.ContainsKey(id) || retired.At < finishedSince) continue; // a job that runs again shows as live
            // Its journal is kept as its history: the service and the start are read from its acceptance.
            var accepted = Entries(connection, PersistenceIds.Job(id, retired.Run), includeDeleted: true, firstOnly: true)
                .Select(e => e.Record).OfType<JobAccepted>().FirstOrDefault();
            jobs.Add(new JobSummary(id.Value, ServiceOf(accepted) ?? "", "Retired", false, accepted?.At, retired.At, retired.Status, retired.Message, 0, retired.Run));
        }
        return jobs.OrderBy(j => j.JobId).ToList();
    }

    private static string? ServiceOf(JobAccepted? accepted)
    {
        if (accepted is null) return null;
        return JobRequestBinder.Bind(LedgerJson.TaskFromJson(accepted.TaskJson)) is BoundJob { Request.ServiceName: { ValueKind: System.Text.Json.JsonValueKind.String } name }
            ? Printable.Line(name.GetString()!, 60) : null;
    }

    /// <summary>A journal's records in order, with when each was written (the plugin's <c>created</c>: UTC ticks).</summary>
    private static List<JournalEntry> Entries(SqliteConnection connection, string persistenceId, bool includeDeleted, bool firstOnly = false)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT sequence_number, manifest, message, created FROM journal WHERE persistence_id = $id {(includeDeleted ? "" : "AND deleted = 0")} ORDER BY sequence_number {(firstOnly ? "LIMIT 1" : "")}";
        command.Parameters.AddWithValue("$id", persistenceId);
        using var r = command.ExecuteReader();
        var list = new List<JournalEntry>();
        while (r.Read())
            if (Record(r.IsDBNull(1) ? "" : r.GetString(1), (byte[])r[2]) is { } record)
                list.Add(new JournalEntry(r.GetInt64(0), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero), record));
        return list;
    }

    private static ILedgerRecord? Record(string manifest, byte[] bytes)
    {
        try { return LedgerJson.FromBytes(bytes, manifest); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
