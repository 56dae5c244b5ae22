using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Terminus.Core.Celery;

namespace Terminus.Actors.Amqp;

/// <summary>
/// A publisher with its own connection and a confirm-mode channel, reconnected lazily after any failure.
/// Publishes are mandatory: a status nobody's queue would receive comes back as an error, so the caller retries
/// instead of losing it. One publish at a time; callers keep their own order.
/// </summary>
public sealed class AmqpPublisher(ConnectionFactory factory, string clientName, TimeSpan confirmTimeout)
    : IMessagePublisher, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public async Task PublishAsync(OutgoingCeleryMessage message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(confirmTimeout);
            try
            {
                var channel = await EnsureChannelAsync(timeout.Token).ConfigureAwait(false);
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
                await ResetAsync().ConfigureAwait(false); // unknown channel state: start over on the next publish
                if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    throw new TimeoutException($"the broker did not confirm within {confirmTimeout.TotalSeconds:0.#} s", e);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IChannel> EnsureChannelAsync(CancellationToken ct)
    {
        if (_channel is { IsOpen: true } open) return open;
        await ResetAsync().ConfigureAwait(false);
        _connection = await factory.CreateConnectionAsync(clientName, ct).ConfigureAwait(false);
        _channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            ct).ConfigureAwait(false);
        return _channel;
    }

    private async Task ResetAsync()
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
        await _gate.WaitAsync().ConfigureAwait(false);
        try { await ResetAsync().ConfigureAwait(false); }
        finally { _gate.Release(); }
    }
}
