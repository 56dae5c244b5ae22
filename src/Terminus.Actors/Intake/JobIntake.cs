using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Terminus.Actors.Amqp;
using Terminus.Actors.Jobs;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Text;

namespace Terminus.Actors.Intake;

/// <summary>
/// The job intake: deliveries of <c>&lt;host&gt;.terminus_jobs</c> are taken only when the admission gate grants a job
/// slot, decoded and handed to the supervisor with that slot. Anything that cannot become a job is logged and
/// rejected without requeue, so it can neither crash the daemon nor loop.
/// </summary>
public sealed class JobIntake(IActorRef supervisor, AdmissionGate gate, ILoggingAdapter log)
{
    private readonly CancelIntake _cancels = new(supervisor, log);

    public static Source<IDelivery, NotUsed> Reconnecting(AmqpSourceSettings settings) =>
        RestartSource.OnFailuresWithBackoff(
            () => Source.FromGraph(new AmqpConsumerSource(settings)),
            RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2));

    /// <summary>Requests larger than this are not job requests (0.7's are a few hundred bytes): rejected, never stored.</summary>
    public const int MaxRequestBytes = 1024 * 1024;

    public IRunnableGraph<Task> Graph(Source<IDelivery, NotUsed> deliveries) =>
        deliveries
            .Via(new AdmissionGateStage(gate))
            .SelectAsyncUnordered(Math.Max(1, gate.Capacity), DispatchAsync)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Right)
            .MapMaterializedValue(t => (Task)t);

    /// <summary>Completes when the delivery is settled; never throws (a failed element would end the stream).</summary>
    public async Task<Done> DispatchAsync(AdmittedDelivery admitted)
    {
        var (delivery, slot) = (admitted.Delivery, admitted.Slot);
        var handedOver = false;
        try
        {
            if (delivery.Message.Body.Length > MaxRequestBytes)
            {
                log.Warning("Rejected a {0}-byte message from {1}: job requests are never larger than {2} bytes",
                    delivery.Message.Body.Length, delivery.Queue, MaxRequestBytes);
                await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                return Done.Instance;
            }
            switch (CeleryDecoder.Decode(delivery.Message))
            {
                case MalformedMessage m:
                    log.Warning("Rejected a malformed message from {0} (task {1}, id {2}): {3}",
                        delivery.Queue, Printable.Line(m.TaskName ?? "?", 80), Printable.Line(m.TaskId ?? "?", 80), Printable.Line(m.Reason, 300));
                    await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                    break;
                case DecodedTask { Task.Name: JobRequestBinder.TaskName } decoded:
                    handedOver = await SubmitAsync(delivery, decoded.Task, slot).ConfigureAwait(false);
                    break;
                case DecodedTask { Task.Name: CancelBinder.TaskName } cancel:
                    var taken = await _cancels.TakeAsync(cancel.Task, delivery.Queue).ConfigureAwait(false);
                    if (taken == CancelIntakeResult.Taken) await delivery.AckAsync().ConfigureAwait(false);
                    else await delivery.RejectAsync(requeue: taken == CancelIntakeResult.NotTaken).ConfigureAwait(false);
                    break;
                case DecodedTask other:
                    log.Warning("Rejected task '{0}' (id {1}) from {2}: this queue only takes {3} and {4}",
                        Printable.Line(other.Task.Name, 80), Printable.Line(other.Task.Id, 80), delivery.Queue, JobRequestBinder.TaskName,
                        CancelBinder.TaskName);
                    await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e)
        {
            log.Error(e, "Unexpected error while taking a message from {0}; rejecting it", delivery.Queue);
            await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
        }
        finally
        {
            if (!handedOver) slot.Release(); // no new job came of it
        }
        return Done.Instance;
    }

    /// <returns>True when the supervisor took the delivery (and the slot with it).</returns>
    private async Task<bool> SubmitAsync(IDelivery delivery, CeleryTask task, JobSlot slot)
    {
        switch (JobRequestBinder.Bind(task))
        {
            case UnusableJob unusable:
                log.Warning("Rejected {0} task {1}: {2}; no status can be sent without a job id", task.Name, Printable.Line(task.Id, 80),
                    Printable.Line(unusable.Reason, 300));
                await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                return false;
            case BoundJob bound:
                supervisor.Tell(new SubmitJob(bound.Request, task, delivery, slot));
                await delivery.Settled.ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

}
