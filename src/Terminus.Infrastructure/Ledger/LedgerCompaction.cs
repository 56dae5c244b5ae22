using Microsoft.Data.Sqlite;
using Terminus.Core.Ledger;

namespace Terminus.Infrastructure.Ledger;

/// <summary>
/// What retired jobs leave in the ledger. A retired job's journal is marked deleted at once, and kept as its history
/// (<c>terminus show</c>); the supervisor forgets retired jobs after their retention window, and then nothing needs
/// those records either. Deleting them directly is safe: the journal of a live job (one record not deleted), and the
/// supervisor's own, are never touched, and a journal goes whole, once its newest record is older than the window.
/// </summary>
public static class LedgerCompaction
{
    /// <returns>How many job runs were forgotten.</returns>
    public static int ForgetRetiredJournals(string ledgerPath, DateTime retiredBeforeUtc)
    {
        if (!File.Exists(ledgerPath)) return 0;
        using var connection = LedgerFile.Open(ledgerPath, SqliteOpenMode.ReadWrite);
        if (!LedgerFile.TableExists(connection, "journal")) return 0;
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The plugin writes `created` as DateTime ticks (UTC).
        command.CommandText = """
            CREATE TEMP TABLE IF NOT EXISTS forgotten (persistence_id TEXT PRIMARY KEY);
            DELETE FROM forgotten;
            INSERT INTO forgotten SELECT persistence_id FROM journal WHERE persistence_id <> $supervisor
              GROUP BY persistence_id HAVING min(deleted) = 1 AND max(created) < $before;
            DELETE FROM journal WHERE persistence_id IN (SELECT persistence_id FROM forgotten);
            SELECT count(*) FROM forgotten;
            """;
        command.Parameters.AddWithValue("$before", retiredBeforeUtc.Ticks);
        command.Parameters.AddWithValue("$supervisor", PersistenceIds.Supervisor);
        var runs = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        transaction.Commit();
        return runs;
    }
}
