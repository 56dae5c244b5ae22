using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Actors.Ledger;

/// <summary>
/// The job ledger's journal plugin: Akka.Persistence's journal protocol over <see cref="LedgerJournal"/>, whose group
/// commit lets every job's writes of one moment share a transaction. Records are serialized by Akka's serialization (the
/// ledger's own serializer, <see cref="LedgerSerializer"/>). A record that cannot be serialized is rejected (its actor
/// goes on); a write the ledger does not take fails (its actor stops: see <c>LedgerGuardActor</c>).
/// </summary>
public sealed class SqliteJournal : AsyncWriteJournal
{
    private readonly LedgerJournal _journal;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteJournal(Akka.Configuration.Config config)
    {
        _journal = new LedgerJournal(config.GetString("path") ?? throw new ArgumentException("the journal's 'path' is not set"));
        _serialization = Context.System.Serialization;
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var results = new List<Exception?>();
        var rows = new List<JournalRow>();
        var now = DateTime.UtcNow.Ticks;
        foreach (var write in messages)
        {
            try
            {
                var serialized = ((IImmutableList<IPersistentRepresentation>)write.Payload).Select(p => Serialize(p, now)).ToList();
                rows.AddRange(serialized);
                results.Add(null);
            }
            catch (Exception e)
            {
                results.Add(e); // rejected: nothing of this atomic write is stored
            }
        }
        if (rows.Count > 0)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await _journal.AppendAsync(rows).ConfigureAwait(false);
            Telemetry.DaemonMetrics.LedgerWriteLatency.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return results.All(r => r is null) ? null! : results.ToImmutableList();
    }

    private JournalRow Serialize(IPersistentRepresentation p, long now)
    {
        var (bytes, manifest, identifier) = Serialize(_serialization, p.Payload);
        return new JournalRow(p.PersistenceId, p.SequenceNr, bytes, manifest, identifier, p.WriterGuid, p.Timestamp > 0 ? p.Timestamp : now);
    }

    /// <summary>A record as the ledger's tables store it (the snapshot store's too): its bytes, manifest and serializer.</summary>
    internal static (byte[] Bytes, string Manifest, int Identifier) Serialize(Akka.Serialization.Serialization serialization, object payload)
    {
        var serializer = serialization.FindSerializerFor(payload);
        return (serializer.ToBinary(payload), Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.Identifier);
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) => _journal.DeleteToAsync(persistenceId, toSequenceNr);

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        Task.Run(() => _journal.HighestSequenceNr(persistenceId), cancellationToken);

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        var rows = await Task.Run(() => _journal.Read(persistenceId, fromSequenceNr, toSequenceNr, max)).ConfigureAwait(false);
        foreach (var row in rows)
            recoveryCallback(new Persistent(_serialization.Deserialize(row.Message, row.Identifier, row.Manifest), row.SequenceNr, persistenceId,
                manifest: "", isDeleted: false, sender: ActorRefs.NoSender, writerGuid: row.WriterUuid, timestamp: row.CreatedTicks));
    }

    protected override void PostStop()
    {
        _journal.DisposeAsync().AsTask().GetAwaiter().GetResult(); // what is queued is committed before the ledger closes
        base.PostStop();
    }
}
