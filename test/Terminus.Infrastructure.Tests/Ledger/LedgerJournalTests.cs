using Microsoft.Data.Sqlite;
using Terminus.Core.Ledger;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Infrastructure.Tests.Ledger;

/// <summary>The ledger's journal on a real SQLite file.</summary>
public sealed class LedgerJournalTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-journal-").FullName;
    private LedgerJournal _journal = null!;
    private string Ledger => Path.Combine(_dir, "terminus-ledger.db");

    public Task InitializeAsync()
    {
        LedgerFile.Prepare(Ledger);
        _journal = new LedgerJournal(Ledger);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _journal.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static JournalRow Row(string id, long seq, string text = "x") =>
        new(id, seq, System.Text.Encoding.UTF8.GetBytes(text), "m", 4_711_001, "writer", DateTime.UtcNow.Ticks);

    [Fact]
    public async Task What_is_appended_is_read_back_in_order_within_the_bounds_asked()
    {
        await _journal.AppendAsync([Row("job-1", 1, "a"), Row("job-1", 2, "b"), Row("job-2", 1, "other")]);
        await _journal.AppendAsync([Row("job-1", 3, "c")]);
        Assert.Equal(["a", "b", "c"], _journal.Read("job-1", 1, long.MaxValue, long.MaxValue).Select(r => System.Text.Encoding.UTF8.GetString(r.Message)));
        Assert.Equal([2L], _journal.Read("job-1", 2, 2, 10).Select(r => r.SequenceNr));
        Assert.Equal([1L, 2L], _journal.Read("job-1", 1, 3, 2).Select(r => r.SequenceNr));
        var row = Assert.Single(_journal.Read("job-2", 1, 1, 1));
        Assert.Equal(("m", 4_711_001, "writer"), (row.Manifest, row.Identifier, row.WriterUuid));
        Assert.Equal(3, _journal.HighestSequenceNr("job-1"));
        Assert.Equal(0, _journal.HighestSequenceNr("job-3"));
    }

    [Fact]
    public async Task A_deleted_job_journal_replays_nothing_and_stays_as_the_job_s_history_while_the_supervisor_s_keeps_its_last_record()
    {
        var supervisor = PersistenceIds.Supervisor;
        await _journal.AppendAsync([Row("job-1", 1), Row("job-1", 2), Row("job-1", 3), Row(supervisor, 1), Row(supervisor, 2), Row(supervisor, 3)]);
        await _journal.DeleteToAsync("job-1", 2);
        Assert.Equal([3L], _journal.Read("job-1", 1, long.MaxValue, long.MaxValue).Select(r => r.SequenceNr));
        await _journal.DeleteToAsync("job-1", 3);
        await _journal.DeleteToAsync(supervisor, 3);
        Assert.Empty(_journal.Read("job-1", 1, long.MaxValue, long.MaxValue));
        Assert.Empty(_journal.Read(supervisor, 1, long.MaxValue, long.MaxValue));
        Assert.Equal((3, 3), (_journal.HighestSequenceNr("job-1"), _journal.HighestSequenceNr(supervisor)));
        using var connection = new SqliteConnection(LedgerFile.ReadOnlyConnectionString(Ledger));
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM journal WHERE persistence_id = 'job-1' AND deleted = 1";
        Assert.Equal(3L, count.ExecuteScalar());
        count.CommandText = $"SELECT count(*) FROM journal WHERE persistence_id = '{supervisor}'";
        Assert.Equal(1L, count.ExecuteScalar());
    }

    [Fact]
    public async Task Writes_that_come_together_share_a_commit_and_a_bad_one_fails_alone()
    {
        var writes = Enumerable.Range(1, 200).Select(i => _journal.AppendAsync([Row($"job-{i}", 1), Row($"job-{i}", 2)])).ToList();
        var bad = _journal.AppendAsync([Row("job-bad", 1) with { Message = null! }]); // NOT NULL: this write alone is refused
        await Task.WhenAll(writes);
        await Assert.ThrowsAnyAsync<Exception>(() => bad);
        Assert.All(Enumerable.Range(1, 200), i => Assert.Equal(2, _journal.HighestSequenceNr($"job-{i}")));
        Assert.Equal(0, _journal.HighestSequenceNr("job-bad"));
        var (commits, written) = _journal.Counts;
        Assert.Equal(201, written);
        Assert.True(commits < written, $"{written} writes in {commits} commits");
    }

    [Fact]
    public async Task Writes_after_the_journal_closed_fail_instead_of_waiting()
    {
        await _journal.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _journal.AppendAsync([Row("job-1", 1)]));
    }
}
