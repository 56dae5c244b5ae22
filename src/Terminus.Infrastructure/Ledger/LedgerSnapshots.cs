using Microsoft.Data.Sqlite;

namespace Terminus.Infrastructure.Ledger;

/// <summary>One snapshot, as the ledger's <c>snapshot</c> table holds it (<c>created</c>: DateTime ticks, UTC).</summary>
public sealed record SnapshotRow(string PersistenceId, long SequenceNr, long CreatedTicks, byte[] Snapshot, string Manifest, int SerializerId);

/// <summary>The bounds of a snapshot search or deletion: sequence numbers and creation ticks, both inclusive.</summary>
public sealed record SnapshotBounds(long MinSequenceNr, long MaxSequenceNr, long MinCreatedTicks, long MaxCreatedTicks);

/// <summary>
/// The ledger's snapshot table (only the supervisor snapshots, every 200 of its records): the table Akka.Persistence.Sql
/// made in ledgers of earlier versions, read and written the same way. Snapshots are rare: each call opens a connection
/// of its own.
/// </summary>
public static class LedgerSnapshots
{
    public static SnapshotRow? Latest(string ledgerPath, string persistenceId, SnapshotBounds bounds)
    {
        using var connection = LedgerFile.Open(ledgerPath);
        using var command = Bounded(connection, "SELECT sequence_number, created, snapshot, manifest, serializer_id FROM snapshot", persistenceId, bounds);
        command.CommandText += " ORDER BY sequence_number DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new SnapshotRow(persistenceId, reader.GetInt64(0), reader.GetInt64(1), (byte[])reader[2], reader.IsDBNull(3) ? "" : reader.GetString(3),
                reader.IsDBNull(4) ? 0 : reader.GetInt32(4))
            : null;
    }

    public static void Save(string ledgerPath, SnapshotRow row)
    {
        using var connection = LedgerFile.Open(ledgerPath);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id)
            VALUES ($p, $seq, $created, $snapshot, $manifest, $serializer)
            """;
        command.Parameters.AddWithValue("$p", row.PersistenceId);
        command.Parameters.AddWithValue("$seq", row.SequenceNr);
        command.Parameters.AddWithValue("$created", row.CreatedTicks);
        command.Parameters.AddWithValue("$snapshot", row.Snapshot);
        command.Parameters.AddWithValue("$manifest", row.Manifest);
        command.Parameters.AddWithValue("$serializer", row.SerializerId);
        command.ExecuteNonQuery();
    }

    public static void Delete(string ledgerPath, string persistenceId, SnapshotBounds bounds)
    {
        using var connection = LedgerFile.Open(ledgerPath);
        using var command = Bounded(connection, "DELETE FROM snapshot", persistenceId, bounds);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Bounded(SqliteConnection connection, string sql, string persistenceId, SnapshotBounds bounds)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql + """
             WHERE persistence_id = $p AND sequence_number BETWEEN $minSeq AND $maxSeq AND created BETWEEN $minTicks AND $maxTicks
            """;
        command.Parameters.AddWithValue("$p", persistenceId);
        command.Parameters.AddWithValue("$minSeq", bounds.MinSequenceNr);
        command.Parameters.AddWithValue("$maxSeq", bounds.MaxSequenceNr);
        command.Parameters.AddWithValue("$minTicks", bounds.MinCreatedTicks);
        command.Parameters.AddWithValue("$maxTicks", bounds.MaxCreatedTicks);
        return command;
    }
}
