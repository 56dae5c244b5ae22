using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Terminus.Actors.Amqp;

/// <summary>
/// A committable source over one RabbitMQ.Client 7 connection, channel and consumer, manual ack only.
/// Prefetch is the backpressure: the broker never has more than <c>Prefetch</c> unsettled deliveries out, so the
/// stage buffer is bounded by it. Any connection or channel loss fails the stage; a RestartSource around it owns
/// reconnection, each incarnation with a fresh connection (no client recovery, so no ghost consumer). The queue
/// is never declared: it belongs to the portal. Without demand for a while (every job slot busy) the consumer is
/// cancelled and the waiting deliveries requeued; it consumes again when demand returns.
/// </summary>
public sealed class AmqpConsumerSource(AmqpSourceSettings settings) : GraphStage<SourceShape<IDelivery>>
{
    public Outlet<IDelivery> Out { get; } = new("amqp-consumer.out");
    public override SourceShape<IDelivery> Shape => new(Out);
    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, settings);

    private sealed class Logic : TimerGraphStageLogic, IOutHandler
    {
        private const string IdleTimer = "idle";
        private readonly AmqpConsumerSource _stage;
        private readonly AmqpSourceSettings _settings;
        private readonly Queue<IDelivery> _buffer = new();
        private readonly CancellationTokenSource _lifetime = new();
        private Action<IDelivery> _onDelivery = null!;
        private Action _onSettled = null!, _onStop = null!, _onCancelledByBroker = null!;
        private Action<Exception> _onFailure = null!;
        private Action<string> _onConsuming = null!;
        private IConnection? _connection;
        private IChannel? _channel;
        private BrokerCancelAwareConsumer? _consumer;
        private string? _consumerTag;
        private int _inFlight;
        private bool _stopping, _paused, _resuming;

        public Logic(AmqpConsumerSource stage, AmqpSourceSettings settings) : base(stage.Shape)
        {
            _stage = stage;
            _settings = settings;
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _onDelivery = GetAsyncCallback<IDelivery>(OnDelivery);
            _onSettled = GetAsyncCallback(() => { _inFlight--; TryComplete(); });
            _onStop = GetAsyncCallback(BeginStop);
            _onCancelledByBroker = GetAsyncCallback(() =>
            {
                if (!_stopping) FailStage(new IOException($"the broker cancelled the consumer of queue '{_settings.Queue}' (queue deleted?)"));
            });
            _onFailure = GetAsyncCallback<Exception>(FailWithLog);
            _onConsuming = GetAsyncCallback<string>(tag =>
            {
                _consumerTag = tag;
                if (_resuming) _settings.Log.Info("Consuming queue {0} again", _settings.Queue);
                else _settings.Log.Info("Consuming queue {0} (prefetch {1})", _settings.Queue, _settings.Prefetch);
                _settings.OnConsuming?.Invoke();
                _resuming = false;
                if (_stopping || _paused) CancelConsumer();
            });

            if (!_settings.Drain.Attach(_onStop)) { CompleteStage(); return; }
            SetKeepGoing(true); // outlive downstream until in-flight deliveries are settled
            ConnectAsync(_lifetime.Token).ContinueWith(t =>
            {
                if (t.IsFaulted) _onFailure(t.Exception!.GetBaseException());
                else if (t.IsCanceled) _onFailure(new OperationCanceledException("connect cancelled"));
                else _onConsuming(t.Result);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }

        private async Task<string> ConnectAsync(CancellationToken ct)
        {
            var connection = await _settings.Factory.CreateConnectionAsync(_settings.ClientName, ct).ConfigureAwait(false);
            _connection = connection;
            if (ct.IsCancellationRequested) { await CloseQuietlyAsync(connection, null); ct.ThrowIfCancellationRequested(); }
            var channel = await connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
            _channel = channel;
            var lost = new CancellationTokenSource();
            channel.ChannelShutdownAsync += (_, args) =>
            {
                lost.Cancel(); // every unsettled delivery of this channel is now the broker's again
                if (args.Initiator != ShutdownInitiator.Application)
                    _onFailure(new IOException(DescribeShutdown(args)));
                return Task.CompletedTask;
            };
            await channel.BasicQosAsync(0, _settings.Prefetch, global: false, ct).ConfigureAwait(false);
            var consumer = new BrokerCancelAwareConsumer(channel, () => _onCancelledByBroker());
            consumer.ReceivedAsync += (_, ea) =>
            {
                _onDelivery(new AmqpDelivery(channel, _settings.Queue, ea, lost.Token, _onSettled));
                return Task.CompletedTask;
            };
            _consumer = consumer;
            return await channel.BasicConsumeAsync(_settings.Queue, autoAck: false, consumer, ct).ConfigureAwait(false);
        }

        /// <summary>No demand for a while: stop consuming and give the waiting deliveries back to the queue.</summary>
        protected override void OnTimer(object timerKey)
        {
            if (_buffer.Count == 0 || IsAvailable(_stage.Out) || _stopping) return;
            _paused = true;
            _settings.Log.Info("No free job slot: paused consuming {0} and returned {1} waiting request(s) to it", _settings.Queue, _buffer.Count);
            CancelConsumer();
            RequeueBuffered();
        }

        private void RequeueBuffered()
        {
            while (_buffer.TryDequeue(out var d)) { _inFlight++; _ = d.RejectAsync(requeue: true); }
        }

        private void Resume()
        {
            _paused = false;
            if (_stopping || _resuming || _channel is not { IsOpen: true } channel || _consumer is not { } consumer || _consumerTag is null) return;
            _resuming = true;
            _consumerTag = null;
            channel.BasicConsumeAsync(_settings.Queue, autoAck: false, consumer).ContinueWith(t =>
            {
                if (t.IsFaulted) _onFailure(t.Exception!.GetBaseException());
                else if (t.IsCompletedSuccessfully) _onConsuming(t.Result);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }

        private string DescribeShutdown(ShutdownEventArgs args) => args.ReplyCode switch
        {
            406 when args.ReplyText.Contains("timeout", StringComparison.OrdinalIgnoreCase) =>
                $"the broker closed the channel of '{_settings.Queue}' because a delivery stayed unacknowledged too long (consumer_timeout): {args.ReplyText}",
            404 => AmqpConnections.Explain(new RabbitMQ.Client.Exceptions.OperationInterruptedException(args), _settings.Queue),
            _ => $"connection to the broker lost while consuming '{_settings.Queue}': {args.ReplyCode} {args.ReplyText}",
        };

        private void FailWithLog(Exception error)
        {
            if (_stopping && _inFlight == 0 && _buffer.Count == 0) { CompleteStage(); return; }
            _settings.Log.Warning("Consumer of {0} stopped: {1}; reconnecting with backoff", _settings.Queue,
                AmqpConnections.Explain(error, _settings.Queue));
            FailStage(error);
        }

        public void OnPull()
        {
            if (_buffer.TryDequeue(out var d)) Emit(d);
            else if (_paused) Resume();
            else TryComplete();
        }

        public void OnDownstreamFinish(Exception cause)
        {
            RequeueBuffered();
            BeginStop();
        }

        private void OnDelivery(IDelivery d)
        {
            if (IsClosed(_stage.Out) || _paused) { _inFlight++; _ = d.RejectAsync(requeue: true); return; }
            if (IsAvailable(_stage.Out)) Emit(d);
            else
            {
                _buffer.Enqueue(d);
                if (!IsTimerActive(IdleTimer)) ScheduleOnce(IdleTimer, _settings.IdleRequeue);
            }
        }

        private void Emit(IDelivery d)
        {
            _inFlight++;
            Push(_stage.Out, d);
        }

        private void BeginStop()
        {
            if (_stopping) return;
            _stopping = true;
            CancelConsumer();
            TryComplete();
        }

        private void CancelConsumer()
        {
            if (_channel is { IsOpen: true } channel && _consumerTag is { } tag)
            {
                if (_stopping)
                    _settings.Log.Info("Stopped consuming queue {0}; settling {1} in-flight deliveries", _settings.Queue, _inFlight + _buffer.Count);
                _ = channel.BasicCancelAsync(tag).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        private void TryComplete()
        {
            if (_stopping && _buffer.Count == 0 && _inFlight == 0) CompleteStage();
        }

        public override void PostStop()
        {
            _settings.OnStopped?.Invoke();
            _settings.Drain.Detach(_onStop);
            _lifetime.Cancel();
            // Always dispose, whatever IsOpen says: a half-open connection must not linger.
            _ = CloseQuietlyAsync(_connection, _channel);
        }

        private static async Task CloseQuietlyAsync(IConnection? connection, IChannel? channel)
        {
            try { if (channel is not null) await channel.DisposeAsync().ConfigureAwait(false); }
            catch (Exception) { /* already gone */ }
            try { if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false); }
            catch (Exception) { /* already gone */ }
        }
    }
}
