using System.Reflection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Terminus.Actors.Amqp;

namespace Terminus.Actors.Tests.Amqp;

/// <summary>A delivery is settled once on its channel, however many parts of the daemon settle it at the same time.</summary>
public sealed class AmqpDeliverySpecs
{
    [Fact]
    public async Task An_ack_while_another_is_on_its_way_sends_nothing_and_ends_with_it()
    {
        var channel = DispatchProxy.Create<IChannel, HeldAcksChannel>();
        var held = (HeldAcksChannel)(object)channel;
        var settled = 0;
        var delivery = new AmqpDelivery(channel, "q", new BasicDeliverEventArgs("c", 7, false, "", "q", new BasicProperties(), new byte[] { 1 }),
            CancellationToken.None, () => Interlocked.Increment(ref settled));

        var first = delivery.AckAsync();   // as a job acks its request…
        var second = delivery.AckAsync();  // …and its supervisor, retiring it, acks what it still holds
        Assert.Equal(1, held.Acks);        // a second basic.ack of tag 7 would make the broker close the channel
        Assert.False(second.IsCompleted, "the second waits for the first");

        held.Release();
        Assert.True(await first);
        Assert.False(await second);
        Assert.Equal(1, held.Acks);
        Assert.Equal(1, settled);
        Assert.False(await delivery.RejectAsync(requeue: true));
        Assert.Equal(0, held.Rejects);
    }

    /// <summary>An open channel whose basic.ack stays on its way until <see cref="Release"/>.</summary>
    public class HeldAcksChannel : DispatchProxy
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _acks, _rejects;

        public int Acks => Volatile.Read(ref _acks);
        public int Rejects => Volatile.Read(ref _rejects);
        public void Release() => _release.TrySetResult();

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            switch (method?.Name)
            {
                case "get_IsOpen": return true;
                case nameof(IChannel.BasicAckAsync):
                    Interlocked.Increment(ref _acks);
                    return new ValueTask(_release.Task);
                case nameof(IChannel.BasicRejectAsync):
                    Interlocked.Increment(ref _rejects);
                    return ValueTask.CompletedTask;
                default: throw new NotSupportedException(method?.Name);
            }
        }
    }
}
