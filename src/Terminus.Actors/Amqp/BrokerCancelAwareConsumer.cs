using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Terminus.Actors.Amqp;

/// <summary>Tells a cancel from the broker's side (queue deleted) apart from our own (pause, stop), which end nothing.</summary>
internal sealed class BrokerCancelAwareConsumer(IChannel channel, Action cancelledByBroker) : AsyncEventingBasicConsumer(channel)
{
    public override Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        cancelledByBroker();
        return base.HandleBasicCancelAsync(consumerTag, cancellationToken);
    }
}
