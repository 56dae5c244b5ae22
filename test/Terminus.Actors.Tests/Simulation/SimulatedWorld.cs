using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Akka.Event;
using Terminus.Actors.Amqp;
using Terminus.Actors.Hosting;
using Terminus.Actors.Steps;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Tests.Simulation;

/// <summary>
/// Everything outside the daemon, as it outlives a crash of the daemon: the broker's queue (deliveries acked or not),
/// the portal (what it received), services (which keep running when the daemon dies), the storage (what landed).
/// While <see cref="Crashed"/> the daemon can no longer touch any of it: acks and publishes are lost, nothing starts.
/// </summary>
internal sealed class SimulatedWorld
{
    public sealed record Published(long JobId, long Seq, string Status, string Message);

    /// <summary>A service run: it goes on whatever happens to the daemon, until the simulation lets it end.</summary>
    public sealed class ServiceRun(bool succeeds)
    {
        public int Launches;
        public TaskCompletionSource<StepOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Succeeds { get; } = succeeds;
    }

    private readonly Dictionary<long, (string Body, string TaskId)> _queue = new();
    private readonly HashSet<long> _acked = new();
    public ConcurrentQueue<Published> Portal { get; } = new();
    public ConcurrentDictionary<long, ServiceRun> Services { get; } = new();
    public ConcurrentDictionary<long, int> Uploads { get; } = new();
    public volatile bool Crashed;

    public void Send(long jobId, string service = "density_map", string kwargs = "{\"test\": false}")
    {
        var body = $"[[{jobId}, \"{service}\", \"GAL_FORMATION\", \"TEST_GALAXY\", \"SIMU_1\", \"output_00003\"], {kwargs}, " +
                   "{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]";
        lock (_queue) _queue[jobId] = (body, Guid.NewGuid().ToString());
    }

    private Channel<IDelivery>? _consumer;

    /// <summary>A (re)started consumer: the broker delivers every message not acked yet, and later what is requeued.</summary>
    public ChannelReader<IDelivery> Consume(bool redelivered)
    {
        lock (_queue)
        {
            _consumer = Channel.CreateUnbounded<IDelivery>();
            foreach (var m in _queue.Where(m => !_acked.Contains(m.Key)))
                _consumer.Writer.TryWrite(new WorldDelivery(this, m.Key, m.Value.Body, m.Value.TaskId, redelivered));
            return _consumer.Reader;
        }
    }

    private void Requeue(long jobId)
    {
        lock (_queue)
            if (_queue.TryGetValue(jobId, out var m) && !_acked.Contains(jobId))
                _consumer?.Writer.TryWrite(new WorldDelivery(this, jobId, m.Body, m.TaskId, redelivered: true));
    }

    public bool AllAcked { get { lock (_queue) return _queue.Keys.All(_acked.Contains); } }

    private void Ack(long jobId) { lock (_queue) _acked.Add(jobId); }

    public IReadOnlyList<Published> StatusesOf(long jobId) => Portal.Where(p => p.JobId == jobId).ToList();

    /// <summary>Lets every service that is still running end, as its job's scenario says.</summary>
    public void FinishRunningServices()
    {
        foreach (var (_, run) in Services)
            run.Outcome.TrySetResult(run.Succeeds
                ? new StepOutcome.Succeeded()
                : new StepOutcome.Failed(StatusTexts.StoppedWithError("the snapshot has no gas"), "scenario"));
    }

    public TerminusRuntime Runtime(Func<long, bool> succeeds) => new(
        _ => new WorldPublisher(this),
        _ => new WorldRunner(this, succeeds),
        _ => new WorldStep(this, (_, _) => { }),
        _ => new WorldStep(this, (world, id) => world.Uploads.AddOrUpdate(id, 1, (_, n) => n + 1)));

    private sealed class WorldDelivery(SimulatedWorld world, long jobId, string body, string taskId, bool redelivered) : IDelivery
    {
        private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Queue => "simhost.terminus_jobs";
        public bool Redelivered => redelivered;
        public IncomingAmqpMessage Message { get; } = new(Encoding.UTF8.GetBytes(body), "application/json", "utf-8",
            new Dictionary<string, object?> { ["task"] = "execute_terminus_job"u8.ToArray(), ["id"] = Encoding.UTF8.GetBytes(taskId) }, taskId, null);
        public Task Settled => _settled.Task;

        public Task<bool> AckAsync()
        {
            if (world.Crashed || !_settled.TrySetResult()) return Task.FromResult(false); // the channel died with the daemon: the broker keeps it
            world.Ack(jobId);
            return Task.FromResult(true);
        }

        public Task<bool> RejectAsync(bool requeue)
        {
            if (world.Crashed || !_settled.TrySetResult()) return Task.FromResult(false);
            if (requeue) world.Requeue(jobId);
            return Task.FromResult(true);
        }
    }

    private sealed class WorldPublisher(SimulatedWorld world) : IMessagePublisher
    {
        public Task PublishAsync(OutgoingCeleryMessage message, CancellationToken cancellationToken)
        {
            if (world.Crashed) return new TaskCompletionSource().Task; // never confirmed: the daemon is gone
            var body = System.Text.Json.JsonDocument.Parse(message.Body).RootElement[0];
            world.Portal.Enqueue(new Published(body[0].GetInt64(), (long)message.Headers["x-terminus-seq"]!, body[1].GetString()!, body[2].GetString()!));
            return Task.CompletedTask;
        }
    }

    /// <summary>Starts a service only if it never ran; a resumed run re-attaches to the one in the world.</summary>
    private sealed class WorldRunner(SimulatedWorld world, Func<long, bool> succeeds) : IStepExecutor
    {
        public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
        {
            if (world.Crashed) await new TaskCompletionSource().Task;
            var id = step.Spec.JobId.Value;
            var run = world.Services.GetOrAdd(id, _ => new ServiceRun(succeeds(id)));
            if (!step.Resume || Volatile.Read(ref run.Launches) == 0) Interlocked.Increment(ref run.Launches);
            control.Started();
            return await run.Outcome.Task.WaitAsync(control.Shutdown);
        }
    }

    private sealed class WorldStep(SimulatedWorld world, Action<SimulatedWorld, long> effect) : IStepExecutor
    {
        public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
        {
            if (world.Crashed) await new TaskCompletionSource().Task;
            effect(world, step.Spec.JobId.Value);
            return new StepOutcome.Succeeded();
        }
    }
}

internal static class NoLog
{
    public static ILoggingAdapter Instance => NoLogger.Instance;
}
