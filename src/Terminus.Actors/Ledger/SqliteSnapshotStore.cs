using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Actors.Ledger;

/// <summary>
/// The job ledger's snapshot store plugin: Akka.Persistence's snapshot protocol over <see cref="LedgerSnapshots"/>, with
/// the ledger's serializer (as <see cref="SqliteJournal"/>). Calls run off the plugin's actor.
/// </summary>
public sealed class SqliteSnapshotStore : SnapshotStore
{
    private readonly string _path;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteSnapshotStore(Akka.Configuration.Config config)
    {
        _path = config.GetString("path") ?? throw new ArgumentException("the snapshot store's 'path' is not set");
        _serialization = Context.System.Serialization;
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        Task.Run(() => LedgerSnapshots.Latest(_path, persistenceId, Bounds(criteria)) is { } row
            ? new SelectedSnapshot(new SnapshotMetadata(persistenceId, row.SequenceNr, new DateTime(row.CreatedTicks, DateTimeKind.Utc)),
                _serialization.Deserialize(row.Snapshot, row.SerializerId, row.Manifest))
            : null, cancellationToken);

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var (bytes, manifest, identifier) = SqliteJournal.Serialize(_serialization, snapshot);
        var row = new SnapshotRow(metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp.Ticks, bytes, manifest, identifier);
        return Task.Run(() => LedgerSnapshots.Save(_path, row), cancellationToken);
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) =>
        Task.Run(() => LedgerSnapshots.Delete(_path, metadata.PersistenceId,
            new SnapshotBounds(metadata.SequenceNr, metadata.SequenceNr, 0, long.MaxValue)), cancellationToken);

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        Task.Run(() => LedgerSnapshots.Delete(_path, persistenceId, Bounds(criteria)), cancellationToken);

    private static SnapshotBounds Bounds(SnapshotSelectionCriteria c) =>
        new(c.MinSequenceNr, c.MaxSequenceNr, c.MinTimestamp?.Ticks ?? 0, c.MaxTimeStamp.Ticks);
}
