using Microsoft.Data.Sqlite;
using Terminus.Core.Ledger;

namespace Terminus.Infrastructure.Ledger;

/// <summary>
/// What retired jobs leave in the ledger. A retired job's journal is trimmed at once, but the persistence plugin keeps
/// its last record (marked deleted) to remember its highest sequence number; the supervisor forgets retired jobs after
/// their retention window, and then nothing needs those records either. Deleting them directly is safe: no journal of a
/// live job, and the supervisor's own, are never touched.
/// </summary>
public static class LedgerCompaction
{
    /// <returns>How many job runs were forgotten.</returns>
    public static int ForgetRetiredJournals(string ledgerPath, DateTime retiredBeforeUtc)
    {
        if (!File.Exists(ledgerPath)) return 0;
        using var connection = LedgerFile.Open(ledgerPath, SqliteOpenMode.ReadWrite);
        if (!LedgerFile.TableExists(connection, "journal")) return 0;
        using var command = connection.CreateCommand();
        // The plugin writes `created` as DateTime ticks (UTC).
        command.CommandText = """
            DELETE FROM journal
            WHERE deleted = 1 AND created < $before AND persistence_id <> $supervisor
              AND persistence_id NOT IN (SELECT persistence_id FROM journal WHERE deleted = 0)
            """;
        command.Parameters.AddWithValue("$before", retiredBeforeUtc.Ticks);
        command.Parameters.AddWithValue("$supervisor", PersistenceIds.Supervisor);
        return command.ExecuteNonQuery();
    }
}
