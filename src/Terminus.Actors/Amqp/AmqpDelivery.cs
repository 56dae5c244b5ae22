using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Terminus.Core.Celery;

namespace Terminus.Actors.Amqp;

/// <summary>
/// A delivery that acks straight on its channel (never through a stream stage, whose callbacks are dropped
/// once the stage stops). A stale ack after a reconnect fails fast instead of hanging. It is settled once: the first
/// ack or reject goes to the broker, and any later one (a job and its supervisor may both ack the same request) only
/// waits for it. A second ack of the same delivery tag would make the broker close the whole channel.
/// </summary>
internal sealed class AmqpDelivery : IDelivery
{
    private readonly IChannel _channel;
    private readonly ulong _tag;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _onSettled;
    private int _done;
    private int _claimed;

    public AmqpDelivery(IChannel channel, string queue, BasicDeliverEventArgs ea, CancellationToken channelLost, Action onSettled)
    {
        _channel = channel;
        _tag = ea.DeliveryTag;
        _onSettled = onSettled;
        Queue = queue;
        Redelivered = ea.Redelivered;
        var p = ea.BasicProperties;
        Message = new IncomingAmqpMessage(
            ea.Body.ToArray(), // the body memory is only valid inside the handler (RabbitMQ.Client 7)
            p.ContentType, p.ContentEncoding,
            p.Headers is { } h ? new Dictionary<string, object?>(h) : null,
            p.CorrelationId, p.MessageId);
        channelLost.Register(() => Finish());
    }

    public string Queue { get; }
    public bool Redelivered { get; }
    public IncomingAmqpMessage Message { get; }
    public Task Settled => _settled.Task;

    public Task<bool> AckAsync() => SettleAsync(() => _channel.BasicAckAsync(_tag, multiple: false));

    public Task<bool> RejectAsync(bool requeue) => SettleAsync(() => _channel.BasicRejectAsync(_tag, requeue));

    private async Task<bool> SettleAsync(Func<ValueTask> send)
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            await _settled.Task.ConfigureAwait(false); // another call settles it
            return false;
        }
        if (Volatile.Read(ref _done) != 0 || !_channel.IsOpen) { Finish(); return false; }
        try
        {
            await send().ConfigureAwait(false);
            return true;
        }
        catch (Exception)
        {
            return false; // channel closed under us: the broker requeues the message itself
        }
        finally { Finish(); }
    }

    private void Finish()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        _settled.TrySetResult();
        _onSettled();
    }
}
