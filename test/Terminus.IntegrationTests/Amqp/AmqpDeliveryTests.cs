using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Terminus.Actors.Amqp;
using Terminus.IntegrationTests.Infrastructure;

namespace Terminus.IntegrationTests.Amqp;

/// <summary>A delivery against the real RabbitMQ: settled once, however many parts of the daemon settle it.</summary>
public sealed class AmqpDeliveryTests
{
    [Fact]
    public async Task A_delivery_acked_twice_at_once_is_acked_once_and_its_channel_stays_open()
    {
        var factory = new ConnectionFactory { Uri = new Uri(ItEnvironment.AmqpUri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.BasicQosAsync(0, 1, global: false);
        var received = Channel.CreateUnbounded<BasicDeliverEventArgs>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, ea) =>
        {
            // The body is only valid inside the handler: copy what the delivery keeps.
            received.Writer.TryWrite(new BasicDeliverEventArgs(ea.ConsumerTag, ea.DeliveryTag, ea.Redelivered, ea.Exchange, ea.RoutingKey,
                ea.BasicProperties, ea.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        for (var i = 0; i < 2; i++) await channel.BasicPublishAsync("", queue, new ReadOnlyMemory<byte>([(byte)i]));

        var settled = 0;
        var first = new AmqpDelivery(channel, queue, await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)),
            CancellationToken.None, () => Interlocked.Increment(ref settled));
        // As a job and its supervisor may: both ack the request at the same moment.
        var acks = await Task.WhenAll(first.AckAsync(), first.AckAsync());
        Assert.Single(acks, sent => sent);
        Assert.Equal(1, settled);

        // A second ack of the same tag would have made the broker close the channel: this round trip would fail, and the
        // next message (held back by the prefetch of 1 until the first is acked) would never come.
        await channel.QueueDeclarePassiveAsync(queue);
        Assert.True(channel.IsOpen);
        var second = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([(byte)1], second.Body.ToArray());
    }
}
