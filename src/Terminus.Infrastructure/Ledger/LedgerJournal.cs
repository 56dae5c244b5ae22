using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Terminus.Infrastructure.Ledger;

/// <summary>One record of a journal, as the ledger's <c>journal</c> table holds it.</summary>
public sealed record JournalRow(string PersistenceId, long SequenceNr, byte[] Message, string Manifest, int Identifier, string? WriterUuid, long CreatedTicks);

/// <summary>
/// The ledger's journal table with group commit: every write waits in a queue that one thread drains, so what comes
/// while a transaction commits goes to the ledger in the next one, one fsync for all. Each queued write is all or nothing
/// within the shared transaction (a savepoint of its own): a bad one fails alone, a failed commit (a full disk) fails
/// every write it held. Reads use connections of their own (WAL: they never wait for the writer). The table is the one
/// Akka.Persistence.Sql made and still reads, so ledgers written by either stay readable by both and by
/// <c>terminus status</c>. A job's journal, once the job retired, is only marked deleted: it stays as the job's
/// history (<c>terminus show</c>) until <see cref="LedgerCompaction"/> forgets it with the retired job. The supervisor's
/// own entries before its snapshot are deleted at once, keeping the last one for its sequence number.
/// </summary>
public sealed class LedgerJournal : IAsyncDisposable
{
    /// <summary>At most this many writes share a transaction, so none waits behind an endless one.</summary>
    public const int MaxWritesPerCommit = 1000;

    private readonly string _path;
    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _readers = [];
    private long _commits, _writes;

    public LedgerJournal(string path)
    {
        _path = path;
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>How many transactions were committed, and how many writes they carried (what group commit saves).</summary>
    public (long Commits, long Writes) Counts => (Interlocked.Read(ref _commits), Interlocked.Read(ref _writes));

    /// <summary>Appends the records, all or none; completes once they are committed.</summary>
    public Task AppendAsync(IReadOnlyList<JournalRow> rows) => Enqueue(new Write.Append(rows));

    /// <summary>Marks a journal's records up to <paramref name="toSequenceNr"/> deleted (recovery skips them); the supervisor's are removed, but its last one.</summary>
    public Task DeleteToAsync(string persistenceId, long toSequenceNr) => Enqueue(new Write.Delete(persistenceId, toSequenceNr));

    private Task Enqueue(Write write)
    {
        if (!_queue.Writer.TryWrite(write)) write.Done.TrySetException(new ObjectDisposedException(nameof(LedgerJournal), "the ledger is closed"));
        return write.Done.Task;
    }

    /// <summary>The highest sequence number the journal ever had (its deleted last record included), or 0.</summary>
    public long HighestSequenceNr(string persistenceId)
    {
        using var lease = Rent();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT max(sequence_number) FROM journal WHERE persistence_id = $p";
        command.Parameters.AddWithValue("$p", persistenceId);
        return command.ExecuteScalar() is long highest ? highest : 0;
    }

    /// <summary>The journal's records not deleted, from <paramref name="from"/> to <paramref name="to"/>, in order, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<JournalRow> Read(string persistenceId, long from, long to, long max)
    {
        var rows = new List<JournalRow>();
        if (max <= 0 || from > to) return rows;
        using var lease = Rent();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = """
            SELECT sequence_number, message, manifest, identifier, writer_uuid, created FROM journal
            WHERE persistence_id = $p AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0
            ORDER BY sequence_number LIMIT $max
            """;
        command.Parameters.AddWithValue("$p", persistenceId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            rows.Add(new JournalRow(persistenceId, reader.GetInt64(0), (byte[])reader[1], reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3) ? 0 : reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5)));
        return rows;
    }

    private void WriteLoop()
    {
        SqliteConnection? connection = null;
        var batch = new List<Write>();
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxWritesPerCommit && _queue.Reader.TryRead(out var write)) batch.Add(write);
            try
            {
                connection ??= LedgerFile.Open(_path);
                Commit(connection, batch);
            }
            catch (Exception e)
            {
                // The connection's state is unknown (a full disk, a file gone): the next batch opens a new one.
                connection?.Dispose();
                connection = null;
                foreach (var write in batch) write.Done.TrySetException(e);
            }
        }
        connection?.Dispose();
    }

    /// <summary>A reader connection, opened once and kept (its pragmas set once): a job's recovery costs two queries, no open.</summary>
    private Lease Rent() => new(this, _readers.TryTake(out var connection) ? connection : LedgerFile.Open(_path));

    private readonly struct Lease(LedgerJournal journal, SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection => connection;

        public void Dispose()
        {
            if (journal._readers.Count < 8) journal._readers.Add(connection);
            else connection.Dispose();
        }
    }

    private void Commit(SqliteConnection connection, List<Write> batch)
    {
        var failed = new Dictionary<Write, Exception>(ReferenceEqualityComparer.Instance);
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var write in batch)
            {
                Execute(connection, transaction, "SAVEPOINT w");
                try
                {
                    write.Apply(connection, transaction);
                    Execute(connection, transaction, "RELEASE w");
                }
                catch (Exception e) when (e is not SqliteException { SqliteErrorCode: 13 or 10 }) // a full disk or an I/O error fails the whole commit
                {
                    Execute(connection, transaction, "ROLLBACK TO w");
                    Execute(connection, transaction, "RELEASE w");
                    failed[write] = e;
                }
            }
            transaction.Commit();
        }
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, batch.Count);
        foreach (var write in batch)
            if (failed.TryGetValue(write, out var e)) write.Done.TrySetException(e);
            else write.Done.TrySetResult();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        while (_readers.TryTake(out var reader)) reader.Dispose();
    }

    private abstract class Write
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public abstract void Apply(SqliteConnection connection, SqliteTransaction transaction);

        public sealed class Append(IReadOnlyList<JournalRow> rows) : Write
        {
            public override void Apply(SqliteConnection connection, SqliteTransaction transaction)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
                    VALUES ($created, 0, $p, $seq, $message, $manifest, $identifier, $writer)
                    """;
                var created = command.Parameters.Add("$created", SqliteType.Integer);
                var p = command.Parameters.Add("$p", SqliteType.Text);
                var seq = command.Parameters.Add("$seq", SqliteType.Integer);
                var message = command.Parameters.Add("$message", SqliteType.Blob);
                var manifest = command.Parameters.Add("$manifest", SqliteType.Text);
                var identifier = command.Parameters.Add("$identifier", SqliteType.Integer);
                var writer = command.Parameters.Add("$writer", SqliteType.Text);
                foreach (var row in rows)
                {
                    (created.Value, p.Value, seq.Value, message.Value) = (row.CreatedTicks, row.PersistenceId, row.SequenceNr, row.Message);
                    (manifest.Value, identifier.Value, writer.Value) = (row.Manifest, row.Identifier, (object?)row.WriterUuid ?? DBNull.Value);
                    command.ExecuteNonQuery();
                }
            }
        }

        public sealed class Delete(string persistenceId, long toSequenceNr) : Write
        {
            public override void Apply(SqliteConnection connection, SqliteTransaction transaction)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = persistenceId == Terminus.Core.Ledger.PersistenceIds.Supervisor
                    ? """
                      UPDATE journal SET deleted = 1 WHERE persistence_id = $p AND sequence_number <= $to AND deleted = 0;
                      DELETE FROM journal WHERE persistence_id = $p AND sequence_number <= $to
                        AND sequence_number < (SELECT max(sequence_number) FROM journal WHERE persistence_id = $p);
                      """
                    : "UPDATE journal SET deleted = 1 WHERE persistence_id = $p AND sequence_number <= $to AND deleted = 0;";
                command.Parameters.AddWithValue("$p", persistenceId);
                command.Parameters.AddWithValue("$to", toSequenceNr);
                command.ExecuteNonQuery();
            }
        }
    }
}
