using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Terminus.Actors.Amqp;
using Terminus.Core.Celery;

namespace Terminus.Bench;

/// <summary>
/// The portal's side for the benchmark: declares the topology exactly as the portal does, publishes
/// <c>execute_terminus_job</c> as a Celery 5 client would (same bytes as Celery's, see the golden tests), and timestamps
/// every status as it arrives, on one monotonic clock.
/// </summary>
internal sealed class Portal(Uri amqp, string host) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, List<(string Status, double At)>> _statuses = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<double>> _probes = new();
    private readonly CeleryEncoder _encoder = new(CeleryOrigin.ForThisProcess());
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private IConnection? _connection;
    private IChannel? _channel;
    private AmqpPublisher? _publisher;
    private string _captureQueue = "";

    public double Now => _clock.Elapsed.TotalSeconds;

    public async Task StartAsync()
    {
        var factory = new ConnectionFactory { Uri = amqp };
        _connection = await factory.CreateConnectionAsync("terminus-bench-portal");
        _channel = await _connection.CreateChannelAsync();
        await _channel.ExchangeDeclareAsync("terminus", ExchangeType.Direct, durable: true);
        await _channel.ExchangeDeclareAsync(CeleryEncoder.StatusExchange, ExchangeType.Direct, durable: true);
        await _channel.QueueDeclareAsync($"{host}.terminus_jobs", durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-max-length"] = 1024, ["x-overflow"] = "reject-publish", ["x-max-priority"] = 128 });
        await _channel.QueueBindAsync($"{host}.terminus_jobs", "terminus", $"{host}.terminus_job");
        await _channel.QueueDeclareAsync($"{host}.monitor", durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?>
            {
                ["x-max-length"] = 32, ["x-overflow"] = "reject-publish", ["x-message-ttl"] = 30000,
                ["x-dead-letter-exchange"] = CeleryEncoder.StatusExchange, ["x-dead-letter-routing-key"] = "host_down",
            });
        await _channel.QueueBindAsync($"{host}.monitor", "terminus", $"{host}.monitoring");
        _captureQueue = (await _channel.QueueDeclareAsync($"bench.{host}.status", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await _channel.QueueBindAsync(_captureQueue, CeleryEncoder.StatusExchange, CeleryEncoder.JobStatusRoutingKey);
        await _channel.QueueBindAsync(_captureQueue, CeleryEncoder.StatusExchange, CeleryEncoder.ServerOnlineRoutingKey);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, ea) =>
        {
            var at = Now;
            var p = ea.BasicProperties;
            var decoded = CeleryDecoder.Decode(new IncomingAmqpMessage(ea.Body.ToArray(), p.ContentType, p.ContentEncoding,
                p.Headers is { } h ? new Dictionary<string, object?>(h) : null, p.CorrelationId, p.MessageId));
            if (decoded is DecodedTask { Task.Name: CeleryEncoder.ServerOnlineTask, Task.ParentId: { } probe } && _probes.TryRemove(probe, out var answered))
                answered.TrySetResult(at);
            else if (decoded is DecodedTask { Task.Args.Count: 3 } t && t.Task.Args[0].ValueKind == JsonValueKind.Number)
            {
                var list = _statuses.GetOrAdd(t.Task.Args[0].GetInt64(), _ => new());
                lock (list) list.Add((t.Task.Args[1].GetString()!, at));
            }
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(_captureQueue, autoAck: true, consumer);
        _publisher = new AmqpPublisher(factory, "terminus-bench-publisher", TimeSpan.FromSeconds(10));
    }

    /// <summary>Publishes the job (confirmed by the broker); returns the time just before the publish.</summary>
    public async Task<double> SubmitAsync(long jobId, string service, IReadOnlyDictionary<string, object?> kwargs)
    {
        var message = _encoder.Message("execute_terminus_job", "terminus", $"{host}.terminus_job",
            [jobId, service, "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "output_00003"], kwargs);
        var at = Now;
        await _publisher!.PublishAsync(message, CancellationToken.None);
        return at;
    }

    /// <summary>Sends the portal's probe and waits for the daemon's <c>host_online</c>; its round trip in seconds (or null after 5 s).</summary>
    public async Task<double?> ProbeAsync()
    {
        var message = _encoder.Message("test_terminus_server_is_up", "terminus", $"{host}.monitoring", [host]);
        var answered = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes[message.TaskId] = answered;
        var at = Now;
        await _publisher!.PublishAsync(message, CancellationToken.None);
        var done = await Task.WhenAny(answered.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        _probes.TryRemove(message.TaskId, out _);
        return done == answered.Task ? answered.Task.Result - at : null;
    }

    /// <summary>How many jobs of <paramref name="ids"/> have reached one of <paramref name="terminal"/>.</summary>
    public int CountEnded(IEnumerable<long> ids, params string[] terminal) =>
        ids.Count(id => _statuses.TryGetValue(id, out var list) && Locked(list, l => l.Any(s => terminal.Contains(s.Status))));

    private static T Locked<T>(List<(string Status, double At)> list, Func<List<(string Status, double At)>, T> read)
    {
        lock (list) return read(list);
    }

    public async Task<IReadOnlyList<(string Status, double At)>> WaitForAsync(long jobId, string terminal, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_statuses.TryGetValue(jobId, out var list))
                lock (list)
                    if (list.Any(s => s.Status == terminal || s.Status is "failed" or "timed_out")) return list.ToList();
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {jobId}: no {terminal} within {timeout.TotalSeconds} s");
            await Task.Delay(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null) await _publisher.DisposeAsync();
        if (_channel is not null)
        {
            foreach (var q in new[] { $"{host}.terminus_jobs", $"{host}.monitor" }) await _channel.QueueDeleteAsync(q);
            await _channel.DisposeAsync();
        }
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
