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
    /// <exception cref="LedgerUnreadableException">The file is there but is no readable ledger.</exception>
    public static IReadOnlyList<JobSummary> Read(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var connection = new SqliteConnection(LedgerFile.ReadOnlyConnectionString(path));
            connection.Open();
            return Read(connection);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new LedgerUnreadableException(path, e);
        }
    }

    private static IReadOnlyList<JobSummary> Read(SqliteConnection connection)
    {
        if (!LedgerFile.TableExists(connection, "journal")) return [];

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
        foreach (var (seq, record) in Events(connection, PersistenceIds.Supervisor)) if (seq > snapshotSeq) ledger.Apply(record);

        var jobs = new List<JobSummary>();
        foreach (var (id, live) in ledger.Live)
        {
            var state = new JobState();
            DateTimeOffset? last = null;
            foreach (var (_, record) in Events(connection, PersistenceIds.Job(id, live.Run)))
            {
                state.Apply(record);
                last = record switch { JobMoved m => m.At, JobAccepted a => a.At, _ => last };
            }
            var service = state.Spec?.ServiceName ?? ServiceOf(state.Accepted) ?? "?";
            jobs.Add(new JobSummary(id.Value, service, state.Accepted is null ? "Admitted" : state.Phase.ToString(), true, state.Accepted?.At, last,
                state.Latest?.Status ?? "", state.Latest?.Message ?? "", state.Undelivered.Count(), live.Run));
        }
        foreach (var (id, retired) in ledger.Retired)
            if (!ledger.Live.ContainsKey(id)) // a job that runs again shows as live
                jobs.Add(new JobSummary(id.Value, "", "Retired", false, null, retired.At, retired.Status, retired.Message, 0, retired.Run));
        return jobs.OrderBy(j => j.JobId).ToList();
    }

    private static string? ServiceOf(JobAccepted? accepted)
    {
        if (accepted is null) return null;
        return JobRequestBinder.Bind(LedgerJson.TaskFromJson(accepted.TaskJson)) is BoundJob { Request.ServiceName: { ValueKind: System.Text.Json.JsonValueKind.String } name }
            ? Printable.Line(name.GetString()!, 60) : null;
    }

    private static List<(long Seq, ILedgerRecord Record)> Events(SqliteConnection connection, string persistenceId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, manifest, message FROM journal WHERE persistence_id = $id AND deleted = 0 ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", persistenceId);
        using var r = command.ExecuteReader();
        var list = new List<(long, ILedgerRecord)>();
        while (r.Read())
            if (Record(r.IsDBNull(1) ? "" : r.GetString(1), (byte[])r[2]) is { } record) list.Add((r.GetInt64(0), record));
        return list;
    }

    private static ILedgerRecord? Record(string manifest, byte[] bytes)
    {
        try { return LedgerJson.FromBytes(bytes, manifest); }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
