using Terminus.Core.Celery;

namespace Terminus.Actors.Amqp;

/// <summary>
/// One message taken from a queue and not yet settled. Settling never throws: when the channel it came on
/// is gone, the broker redelivers it, and <see cref="Settled"/> completes anyway so no slot waits forever.
/// </summary>
public interface IDelivery
{
    string Queue { get; }
    bool Redelivered { get; }
    IncomingAmqpMessage Message { get; }

    /// <summary>True when the ack reached the channel; false when the channel was gone (the broker redelivers).</summary>
    Task<bool> AckAsync();

    /// <summary>Rejects the message; without requeue the broker drops or dead-letters it.</summary>
    Task<bool> RejectAsync(bool requeue);

    /// <summary>Completes once acked, rejected, or lost with its channel.</summary>
    Task Settled { get; }
}
