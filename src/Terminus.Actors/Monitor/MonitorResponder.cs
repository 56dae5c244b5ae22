using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Actors.Telemetry;
using Terminus.Core.Jobs;
using Terminus.Core.Celery;
using Terminus.Core.Text;

namespace Terminus.Actors.Monitor;

/// <summary>
/// Answers the portal's liveness probe (<c>test_terminus_server_is_up</c> on <c>&lt;host&gt;.monitor</c>) with
/// <c>update_server_online(host)</c>, on its own connections, so jobs can never delay it (an unanswered probe
/// dead-letters to <c>host_down</c> after 30 s). Nothing here is rejected without requeue (that queue dead-letters
/// rejections too, and the portal would read a malformed message as "host down"), except a probe that comes while
/// <paramref name="downBecause"/> says the daemon cannot work (its ledger cannot be written): the portal then hears
/// at once that the host is down, which is true. It also takes our <c>cancel_terminus_job</c> (<see cref="CancelIntake"/>),
/// which a portal sends here so that it never waits behind jobs.
/// </summary>
public sealed class MonitorResponder(IMessagePublisher publisher, CeleryEncoder encoder, string hostName, ILoggingAdapter log,
    Func<string?>? downBecause = null, CancelIntake? cancels = null)
{
    public const string ProbeTask = "test_terminus_server_is_up";
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    public IRunnableGraph<Task> Graph(Source<IDelivery, NotUsed> probes) =>
        probes.SelectAsync(1, AnswerAsync)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Right)
            .MapMaterializedValue(t => (Task)t);

    public async Task<Done> AnswerAsync(IDelivery delivery)
    {
        var taken = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            switch (CeleryDecoder.Decode(delivery.Message))
            {
                case DecodedTask { Task.Name: ProbeTask } probe when downBecause?.Invoke() is { } down:
                    log.Warning("Probe {0} not answered: {1}; it dead-letters to host_down", Printable.Line(probe.Task.Id, 80), down);
                    await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                    return Done.Instance;
                case DecodedTask { Task.Name: ProbeTask } probe:
                    var host = ProbeHost(probe.Task);
                    try
                    {
                        await publisher.PublishAsync(encoder.ServerOnline(host, probe.Task.Id, probe.Task.RootId), CancellationToken.None)
                            .ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        log.Warning("Could not answer probe {0}: {1}; it goes back to the queue", Printable.Line(probe.Task.Id, 80), e.GetBaseException().Message);
                        await Task.Delay(RetryPause).ConfigureAwait(false);
                        await delivery.RejectAsync(requeue: true).ConfigureAwait(false);
                        return Done.Instance;
                    }
                    DaemonMetrics.ProbesAnswered.Inc();
                    DaemonMetrics.ProbeLatency.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(taken).TotalSeconds);
                    log.Debug("Answered probe {0} for host {1}", Printable.Line(probe.Task.Id, 80), Printable.Line(host, 80));
                    break;
                case DecodedTask { Task.Name: CancelBinder.TaskName } cancel when cancels is not null:
                    // Never rejected for good here (that would dead-letter it as "host down"); given back only while the ledger cannot take it.
                    if (await cancels.TakeAsync(cancel.Task, delivery.Queue).ConfigureAwait(false) == CancelIntakeResult.NotTaken)
                    {
                        await delivery.RejectAsync(requeue: true).ConfigureAwait(false);
                        return Done.Instance;
                    }
                    break;
                case DecodedTask other:
                    log.Warning("Ignored task '{0}' (id {1}) on the monitor queue {2}: only {3} and {4} are expected",
                        Printable.Line(other.Task.Name, 80), Printable.Line(other.Task.Id, 80), delivery.Queue, ProbeTask, CancelBinder.TaskName);
                    break;
                case MalformedMessage m:
                    log.Warning("Ignored a malformed message on the monitor queue {0}: {1}", delivery.Queue, Printable.Line(m.Reason, 300));
                    break;
            }
            await delivery.AckAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.Error(e, "Unexpected error while answering a probe on {0}", delivery.Queue);
            await delivery.AckAsync().ConfigureAwait(false);
        }
        return Done.Instance;
    }

    /// <summary>0.7 echoes the probe's <c>host</c> argument; a probe without a usable one still gets our name.</summary>
    private string ProbeHost(CeleryTask task)
    {
        var value = task.Args.Count > 0 ? task.Args[0] : task.Kwargs.TryGetValue("host", out var h) ? h : (System.Text.Json.JsonElement?)null;
        if (value is { ValueKind: System.Text.Json.JsonValueKind.String } s && s.GetString() is { Length: > 0 and <= 255 } text) return text;
        log.Warning("Probe {0} has no usable 'host' argument; answering with {1}", Printable.Line(task.Id, 80), hostName);
        return hostName;
    }
}
