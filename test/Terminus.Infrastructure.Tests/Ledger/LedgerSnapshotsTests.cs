using Microsoft.Data.Sqlite;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Infrastructure.Tests.Ledger;

/// <summary>The ledger's snapshot table on a real SQLite file.</summary>
public sealed class LedgerSnapshotsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-snapshots-").FullName;
    private string Ledger => Path.Combine(_dir, "terminus-ledger.db");
    private static readonly SnapshotBounds All = new(0, long.MaxValue, 0, long.MaxValue);

    public LedgerSnapshotsTests() => LedgerFile.Prepare(Ledger);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static SnapshotRow Row(long seq, long ticks = 1000) => new("job-ledger", seq, ticks, [(byte)(seq / 100)], "m", 4_711_001);

    [Fact]
    public void The_latest_snapshot_within_the_bounds_is_loaded()
    {
        foreach (var seq in new long[] { 200, 400, 600 }) LedgerSnapshots.Save(Ledger, Row(seq, ticks: seq * 10));
        Assert.Equal(600, LedgerSnapshots.Latest(Ledger, "job-ledger", All)!.SequenceNr);
        Assert.Equal(400, LedgerSnapshots.Latest(Ledger, "job-ledger", All with { MaxSequenceNr = 599 })!.SequenceNr);
        Assert.Equal(200, LedgerSnapshots.Latest(Ledger, "job-ledger", All with { MaxCreatedTicks = 2000 })!.SequenceNr);
        var latest = LedgerSnapshots.Latest(Ledger, "job-ledger", All)!;
        Assert.Equal((6000L, "m", 4_711_001, 6), (latest.CreatedTicks, latest.Manifest, latest.SerializerId, (int)latest.Snapshot[0]));
        Assert.Null(LedgerSnapshots.Latest(Ledger, "job-other", All));
    }

    [Fact]
    public void Older_snapshots_are_deleted_and_saving_one_again_replaces_it()
    {
        foreach (var seq in new long[] { 200, 400, 600 }) LedgerSnapshots.Save(Ledger, Row(seq));
        LedgerSnapshots.Delete(Ledger, "job-ledger", All with { MaxSequenceNr = 599 });
        LedgerSnapshots.Save(Ledger, Row(600, ticks: 5));
        Assert.Equal(5, LedgerSnapshots.Latest(Ledger, "job-ledger", All)!.CreatedTicks);
        Assert.Null(LedgerSnapshots.Latest(Ledger, "job-ledger", All with { MaxSequenceNr = 599 }));
    }
}
