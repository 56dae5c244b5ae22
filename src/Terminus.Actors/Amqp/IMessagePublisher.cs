using Terminus.Core.Celery;

namespace Terminus.Actors.Amqp;

/// <summary>Publishes one Celery task message; completes only once the broker confirmed it, throws otherwise.</summary>
public interface IMessagePublisher
{
    Task PublishAsync(OutgoingCeleryMessage message, CancellationToken cancellationToken);
}
