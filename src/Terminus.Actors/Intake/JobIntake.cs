using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Terminus.Actors.Amqp;
using Terminus.Actors.Jobs;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Intake;

/// <summary>
/// The job intake: deliveries of <c>&lt;host&gt;.terminus_jobs</c> are decoded and handed to the supervisor;
/// at most <c>maxJobs</c> deliveries are in the hands of jobs at once (prefetch is the same bound, on the
/// broker's side). Anything that cannot become a job is logged and rejected without requeue, so it can
/// neither crash the daemon nor loop.
/// </summary>
public sealed class JobIntake(IActorRef supervisor, ILoggingAdapter log)
{
    public static Source<IDelivery, NotUsed> Reconnecting(AmqpSourceSettings settings) =>
        RestartSource.OnFailuresWithBackoff(
            () => Source.FromGraph(new AmqpConsumerSource(settings)),
            RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2));

    public IRunnableGraph<Task> Graph(Source<IDelivery, NotUsed> deliveries, int maxJobs) =>
        deliveries
            .SelectAsyncUnordered(maxJobs, DispatchAsync)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Right)
            .MapMaterializedValue(t => (Task)t);

    /// <summary>Completes when the delivery is settled; never throws (a failed element would end the stream).</summary>
    public async Task<Done> DispatchAsync(IDelivery delivery)
    {
        try
        {
            switch (CeleryDecoder.Decode(delivery.Message))
            {
                case MalformedMessage m:
                    log.Warning("Rejected a malformed message from {0} (task {1}, id {2}): {3}",
                        delivery.Queue, m.TaskName ?? "?", m.TaskId ?? "?", m.Reason);
                    await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                    break;
                case DecodedTask { Task.Name: JobRequestBinder.TaskName } decoded:
                    await SubmitAsync(delivery, decoded.Task).ConfigureAwait(false);
                    break;
                case DecodedTask other:
                    log.Warning("Rejected task '{0}' (id {1}) from {2}: this queue only takes {3}",
                        PathRulesPrintable(other.Task.Name), other.Task.Id, delivery.Queue, JobRequestBinder.TaskName);
                    await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e)
        {
            log.Error(e, "Unexpected error while taking a message from {0}; rejecting it", delivery.Queue);
            await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
        }
        return Done.Instance;
    }

    private async Task SubmitAsync(IDelivery delivery, CeleryTask task)
    {
        switch (JobRequestBinder.Bind(task))
        {
            case UnusableJob unusable:
                log.Warning("Rejected {0} task {1}: {2}; no status can be sent without a job id", task.Name, task.Id, unusable.Reason);
                await delivery.RejectAsync(requeue: false).ConfigureAwait(false);
                break;
            case BoundJob bound:
                supervisor.Tell(new SubmitJob(bound.Request, delivery));
                await delivery.Settled.ConfigureAwait(false);
                break;
        }
    }

    private static string PathRulesPrintable(string value) => PathRules.Printable(value, 80);
}
