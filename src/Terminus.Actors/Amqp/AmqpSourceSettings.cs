using Akka.Event;
using RabbitMQ.Client;

namespace Terminus.Actors.Amqp;

/// <param name="IdleRequeue">How long a delivery may wait for downstream demand before the consumer pauses and hands
/// the waiting deliveries back to the queue (so none sits unacknowledged long enough to meet the broker's
/// <c>consumer_timeout</c>); consuming resumes at the next demand.</param>
public sealed record AmqpSourceSettings(
    ConnectionFactory Factory,
    string Queue,
    ushort Prefetch,
    string ClientName,
    DrainSignal Drain,
    ILoggingAdapter Log)
{
    public TimeSpan IdleRequeue { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called each time the consumer is registered on the broker (readiness).</summary>
    public Action? OnConsuming { get; init; }

    /// <summary>Called when the consumer stopped (its connection lost, closed or given up), before any reconnect.</summary>
    public Action? OnStopped { get; init; }
}
