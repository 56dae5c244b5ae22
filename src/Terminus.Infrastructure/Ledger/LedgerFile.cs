using Microsoft.Data.Sqlite;

namespace Terminus.Infrastructure.Ledger;

/// <summary>
/// The job ledger's SQLite file, below the daemon's persistence plugin: in WAL mode, which roughly halves the cost of
/// each write and lets <c>terminus status</c> read while the daemon writes. Every connection sets SQLite's busy
/// timeout: when two writers meet (a journal trim and an insert), SQLite then retries within milliseconds, where
/// Microsoft.Data.Sqlite alone would sleep 150 ms (<see cref="ConnectionPragmas"/>).
/// </summary>
public static class LedgerFile
{
    public const int BusyTimeoutMs = 10_000;

    /// <summary>
    /// Set on every connection: the busy timeout, and a write-ahead log truncated after each checkpoint. The log then never
    /// keeps the size a flood gave it, and a full file system fails the next write at once, rather than once the writes
    /// outgrow the log's old size (the daemon must know its ledger is broken when it is).
    /// </summary>
    public static readonly string ConnectionPragmas = $"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA journal_size_limit=0;";

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    /// <summary>An open connection to the ledger with its <see cref="ConnectionPragmas"/> set (the daemon's writers and readers).</summary>
    public static SqliteConnection Open(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString(path)) { Mode = mode }.ToString());
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = ConnectionPragmas;
        pragmas.ExecuteNonQuery();
        return connection;
    }

    public static string ReadOnlyConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString();

    /// <summary>
    /// Creates the file and its tables if needed and switches it to WAL (a property of the file: it sticks). An
    /// index on (persistence_id, sequence_number) keeps each job's recovery a lookup rather than a scan of every job the
    /// ledger ever held.
    /// </summary>
    public static void Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA journal_mode=WAL; {JournalTable} {SnapshotTable} CREATE INDEX IF NOT EXISTS ix_journal_persistence_id_sequence ON journal (persistence_id, sequence_number);";
        command.ExecuteNonQuery();
    }

    /// <summary>The snapshot table, as Akka.Persistence.Sql made it in ledgers of earlier versions.</summary>
    private const string SnapshotTable = """
        CREATE TABLE IF NOT EXISTS [snapshot] (
          [persistence_id] NVarChar(255) NOT NULL, [sequence_number] INTEGER NOT NULL, [created] INTEGER NOT NULL,
          [snapshot] VarBinary NULL, [manifest] NVarChar(500) NULL, [serializer_id] INTEGER NULL,
          CONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number]));
        """;

    /// <summary>The journal table, as Akka.Persistence.Sql made it in ledgers of earlier versions (and still reads).</summary>
    private const string JournalTable = """
        CREATE TABLE IF NOT EXISTS [journal] (
          [ordering] INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, [created] INTEGER NOT NULL, [deleted] Bit NOT NULL,
          [persistence_id] NVarChar(255) NOT NULL, [sequence_number] INTEGER NOT NULL, [message] VarBinary NOT NULL,
          [manifest] NVarChar(500) NULL, [identifier] INTEGER NULL, [writer_uuid] NVarChar(128) NULL);
        """;

    public static bool TableExists(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
