using System.Collections.Concurrent;

namespace Terminus.Infrastructure.Ssh;

/// <summary>
/// One ssh master connection to the storage alias per upload worker, each lent to one upload at a time. Sharing a
/// single connection between concurrent uploads was measured and rejected: its channels share one TCP stream, so a
/// large or slowed upload held every other one back past rsync's I/O timeout. With one connection per worker, an
/// upload still costs no handshake, and uploads never wait on each other. The connection used last is lent first, so
/// uploads one after the other keep one connection warm and the others are never opened.
/// </summary>
public sealed class SshMasterPool : IAsyncDisposable
{
    private readonly List<SshMaster> _masters;
    private readonly ConcurrentStack<SshMaster> _free = new();
    private readonly SemaphoreSlim _available;

    public SshMasterPool(string alias, string runDir, TimeSpan ioTimeout, int size, Action<string> info, Action<string> warning)
    {
        _masters = Enumerable.Range(1, Math.Max(1, size)).Select(slot => new SshMaster(alias, runDir, ioTimeout, info, warning, slot)).ToList();
        foreach (var m in Enumerable.Reverse(_masters)) _free.Push(m);
        _available = new SemaphoreSlim(_masters.Count, _masters.Count);
    }

    /// <summary>Uploads that connected on their own, as their master was not there.</summary>
    public long Fallbacks => _masters.Sum(m => m.Fallbacks);

    /// <summary>A connection for one upload, held until the lease is disposed.</summary>
    public async Task<Lease> LeaseAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _free.TryPop(out var master) ? new Lease(this, master) : throw new InvalidOperationException("the ssh master pool lost a connection");
    }

    public sealed class Lease(SshMasterPool pool, SshMaster master) : IDisposable
    {
        private int _returned;

        public SshMaster Master { get; } = master;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) != 0) return;
            pool._free.Push(Master);
            pool._available.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _masters) await m.DisposeAsync().ConfigureAwait(false);
        _available.Dispose();
    }
}
