using Microsoft.Data.Sqlite;
using Terminus.Core.Ledger;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Infrastructure.Tests.Ledger;

/// <summary>On a real SQLite file with the persistence plugin's journal table.</summary>
public sealed class LedgerCompactionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-compaction-").FullName;
    private string Ledger => Path.Combine(_dir, "terminus-ledger.db");
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(LedgerFile.ConnectionString(Ledger));
        connection.Open();
        return connection;
    }

    private void Journal(params (string Id, long Seq, bool Deleted, int DaysAgo)[] rows)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS [journal] ([ordering] INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, [created] INTEGER NOT NULL,
              [deleted] Bit NOT NULL, [persistence_id] NVarChar(255) NOT NULL, [sequence_number] INTEGER NOT NULL, [message] VarBinary NOT NULL,
              [manifest] NVarChar(500) NULL, [identifier] INTEGER NULL, [writer_uuid] NVarChar(128) NULL);
            """;
        command.ExecuteNonQuery();
        foreach (var (id, seq, deleted, daysAgo) in rows)
        {
            command.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES ($c, $d, $p, $s, x'7b7d')";
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$c", Now.AddDays(-daysAgo).Ticks);
            command.Parameters.AddWithValue("$d", deleted);
            command.Parameters.AddWithValue("$p", id);
            command.Parameters.AddWithValue("$s", seq);
            command.ExecuteNonQuery();
        }
    }

    private List<string> Remaining()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id || ':' || sequence_number FROM journal ORDER BY ordering";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public void Only_the_journals_of_jobs_retired_before_the_window_go_whole()
    {
        Journal(
            ("job-1", 11, true, 32), ("job-1", 12, true, 31), // retired 31 days ago: its history is forgotten
            ("job-5", 1, true, 35), ("job-5", 2, true, 29),    // ran for 6 days, retired 29 days ago: kept whole
            ("job-2-run-2", 9, true, 29),                   // retired within the window: kept
            ("job-3", 4, true, 40), ("job-3", 5, false, 40), // a live job's old trimmed entries: never touched
            (PersistenceIds.Supervisor, 800, true, 60),      // the supervisor's: it carries its sequence number
            ("job-4", 1, false, 45));                        // live for 45 days: kept
        Assert.Equal(1, LedgerCompaction.ForgetRetiredJournals(Ledger, Now.AddDays(-30)));
        Assert.Equal(["job-5:1", "job-5:2", "job-2-run-2:9", "job-3:4", "job-3:5", $"{PersistenceIds.Supervisor}:800", "job-4:1"], Remaining());
        Assert.Equal(0, LedgerCompaction.ForgetRetiredJournals(Ledger, Now.AddDays(-30)));
    }

    [Fact]
    public void A_ledger_not_created_yet_has_nothing_to_forget()
    {
        Assert.Equal(0, LedgerCompaction.ForgetRetiredJournals(Ledger, Now));
        Assert.False(File.Exists(Ledger));
    }
}
