using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Terminus.Core.Celery;

namespace Terminus.Actors.Amqp;

/// <summary>
/// A publisher with its own connection and a confirm-mode channel, reconnected lazily after any failure.
/// Publishes are mandatory: a status nobody's queue would receive comes back as an error, so the caller retries
/// instead of losing it. Publishes run concurrently on the one channel, each awaiting its own confirm (the broker
/// confirms them in batches), so a thousand statuses cost a few round trips rather than a thousand; callers that need
/// an order keep it themselves, one publish at a time.
/// </summary>
/// <param name="metricsName">The connection's label in <c>terminus_broker_connected</c>, or null to export nothing.</param>
public sealed class AmqpPublisher(ConnectionFactory factory, string clientName, TimeSpan confirmTimeout, string? metricsName = null)
    : IMessagePublisher, IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public async Task PublishAsync(OutgoingCeleryMessage message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(confirmTimeout);
        IChannel? channel = null;
        try
        {
            channel = await EnsureChannelAsync(timeout.Token).ConfigureAwait(false);
            var properties = new BasicProperties
            {
                ContentType = message.ContentType,
                ContentEncoding = message.ContentEncoding,
                DeliveryMode = message.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
                Priority = message.Priority,
                CorrelationId = message.CorrelationId,
                ReplyTo = message.ReplyTo,
                Headers = new Dictionary<string, object?>(message.Headers),
            };
            await channel.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: true, properties,
                message.Body, timeout.Token).ConfigureAwait(false);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new InvalidOperationException(
                $"no queue is bound to exchange '{message.Exchange}' with routing key '{message.RoutingKey}' (message returned)", e);
        }
        catch (Exception e)
        {
            await ResetAsync(channel).ConfigureAwait(false); // unknown channel state: start over on the next publish
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw new TimeoutException($"the broker did not confirm within {confirmTimeout.TotalSeconds:0.#} s", e);
            throw;
        }
    }

    private async Task<IChannel> EnsureChannelAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _channel) is { IsOpen: true } open) return open;
        await _connecting.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_channel is { IsOpen: true } opened) return opened; // another publish reconnected meanwhile
            await CloseAsync().ConfigureAwait(false);
            _connection = await factory.CreateConnectionAsync(clientName, ct).ConfigureAwait(false);
            if (metricsName is { } name)
                _connection.ConnectionShutdownAsync += (_, _) => { Telemetry.DaemonMetrics.ConnectionDown(name); return Task.CompletedTask; };
            var channel = await _connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                ct).ConfigureAwait(false);
            Volatile.Write(ref _channel, channel);
            if (metricsName is not null) Telemetry.DaemonMetrics.ConnectionUp(metricsName);
            return channel;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Drops the channel a publish failed on; one that replaced it meanwhile is left alone (a failed connect leaves nothing open to drop: the next one starts clean).</summary>
    private async Task ResetAsync(IChannel? failed)
    {
        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (failed is not null && ReferenceEquals(_channel, failed)) await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task CloseAsync()
    {
        var (channel, connection) = (_channel, _connection);
        (_channel, _connection) = (null, null);
        try { if (channel is not null) await channel.DisposeAsync().ConfigureAwait(false); }
        catch (Exception) { /* already gone */ }
        try { if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false); }
        catch (Exception) { /* already gone */ }
    }

    public async ValueTask DisposeAsync()
    {
        await _connecting.WaitAsync().ConfigureAwait(false);
        try { await CloseAsync().ConfigureAwait(false); }
        finally { _connecting.Release(); }
    }
}
