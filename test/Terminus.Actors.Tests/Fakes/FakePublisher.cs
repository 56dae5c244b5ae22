using System.Collections.Concurrent;
using Terminus.Actors.Amqp;
using Terminus.Core.Celery;

namespace Terminus.Actors.Tests.Fakes;

/// <summary>Records published messages; fails the next <see cref="FailNext"/> publishes like an unreachable broker.</summary>
internal sealed class FakePublisher : IMessagePublisher
{
    private int _failNext;
    public ConcurrentQueue<OutgoingCeleryMessage> Published { get; } = new();
    public int Attempts;

    public int FailNext { set => Volatile.Write(ref _failNext, value); }

    public Task PublishAsync(OutgoingCeleryMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Attempts);
        if (Interlocked.Decrement(ref _failNext) >= 0) return Task.FromException(new IOException("broker unreachable (fake)"));
        Published.Enqueue(message);
        return Task.CompletedTask;
    }

    public static CeleryEncoder Encoder() => new(new CeleryOrigin("gen1@test", "00000000-0000-0000-0000-000000000001"));
}
