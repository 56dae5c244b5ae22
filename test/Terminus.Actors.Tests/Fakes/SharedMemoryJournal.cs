using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Terminus.Actors.Tests.Fakes;

/// <summary>
/// A journal whose storage outlives the ActorSystem (a static store per name), so a test can "restart the daemon" on
/// the same ledger. Every event goes through the system's serializers (the ledger's JSON), as on disk. A store can
/// be told to crash after its N-th write: that write is kept, the crash callback runs, and every later write fails
/// as if the process had died there. The writes of one journal can also be made to fail on their own.
/// </summary>
public sealed class SharedMemoryJournal : AsyncWriteJournal
{
    public sealed class Store
    {
        internal readonly object Gate = new();
        internal readonly Dictionary<string, SortedDictionary<long, (int Serializer, string Manifest, byte[] Bytes)>> Events = new();
        internal readonly Dictionary<string, long> Highest = new();
        public int Writes { get; private set; }
        public int? CrashAfter { get; set; }
        public bool Crashed { get; private set; }
        public Action? OnCrash { get; set; }

        public IReadOnlyList<string> PersistenceIds { get { lock (Gate) return Events.Keys.ToList(); } }

        internal void Written()
        {
            Writes++;
            if (CrashAfter == Writes) { Crashed = true; OnCrash?.Invoke(); }
        }

        public void Recover() { lock (Gate) { Crashed = false; CrashAfter = null; } }

        private readonly Dictionary<string, int> _failing = new();

        /// <summary>The next <paramref name="writes"/> writes of one journal fail (its actor stops, as on a disk error); others go on.</summary>
        public void FailNextWritesOf(string persistenceId, int writes = 1) { lock (Gate) _failing[persistenceId] = writes; }

        internal bool TakeFailure(string persistenceId)
        {
            if (_failing.GetValueOrDefault(persistenceId) <= 0) return false;
            _failing[persistenceId]--;
            return true;
        }
    }

    public static readonly ConcurrentDictionary<string, Store> Stores = new();

    public static Config ConfigFor(string store) => ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "akka.persistence.journal.shared-memory"
        akka.persistence.journal.shared-memory {
          class = "Terminus.Actors.Tests.Fakes.SharedMemoryJournal, Terminus.Actors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          store = "{{store}}"
        }
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    private readonly Store _store;

    public SharedMemoryJournal(Config config) => _store = Stores.GetOrAdd(config.GetString("store"), _ => new Store());

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var serialization = Context.System.Serialization;
        lock (_store.Gate)
        {
            foreach (var write in messages)
                foreach (var p in (IImmutableList<IPersistentRepresentation>)write.Payload)
                {
                    if (_store.Crashed) throw new IOException("the daemon crashed: nothing more reaches the ledger");
                    if (_store.TakeFailure(p.PersistenceId)) throw new IOException($"write to {p.PersistenceId} failed (injected)");
                    var serializer = serialization.FindSerializerFor(p.Payload);
                    var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, p.Payload);
                    if (!_store.Events.TryGetValue(p.PersistenceId, out var events)) _store.Events[p.PersistenceId] = events = new();
                    events[p.SequenceNr] = (serializer.Identifier, manifest, serializer.ToBinary(p.Payload));
                    _store.Highest[p.PersistenceId] = Math.Max(_store.Highest.GetValueOrDefault(p.PersistenceId), p.SequenceNr);
                    _store.Written();
                }
        }
        return Task.FromResult<IImmutableList<Exception?>>(null!);
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        lock (_store.Gate)
            if (_store.Events.TryGetValue(persistenceId, out var events))
                foreach (var seq in events.Keys.Where(s => s <= toSequenceNr).ToList()) events.Remove(seq);
        return Task.CompletedTask;
    }

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        List<(long Seq, (int Serializer, string Manifest, byte[] Bytes) Event)> replay;
        lock (_store.Gate)
            replay = _store.Events.TryGetValue(persistenceId, out var events)
                ? events.Where(e => e.Key >= fromSequenceNr && e.Key <= toSequenceNr).Take((int)Math.Min(max, int.MaxValue)).Select(e => (e.Key, e.Value)).ToList()
                : [];
        foreach (var (seq, e) in replay)
        {
            var payload = context.System.Serialization.Deserialize(e.Bytes, e.Serializer, e.Manifest);
            recoveryCallback(new Persistent(payload, seq, persistenceId, e.Manifest, false, ActorRefs.NoSender));
        }
        return Task.CompletedTask;
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        lock (_store.Gate) return Task.FromResult(_store.Highest.GetValueOrDefault(persistenceId));
    }
}
