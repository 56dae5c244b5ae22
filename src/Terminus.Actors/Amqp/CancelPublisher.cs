using RabbitMQ.Client;
using Terminus.Core;
using Terminus.Core.Celery;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Amqp;

/// <summary>
/// <c>terminus cancel</c>'s way to the daemon: it publishes <c>cancel_terminus_job(jobid, reason, by="operator")</c>
/// through the portal's exchange, with the daemon's own connection settings, as a portal would. While a daemon consumes
/// the monitor queue the cancel goes there (never behind jobs); otherwise it goes to the job queue, which keeps it until
/// the daemon is back (the monitor queue would dead-letter it after 30 s, as "host down").
/// <c>terminus-daemon --cancel-job ID [REASON]</c> runs it, so the operator's command needs no broker client.
/// </summary>
public static class CancelPublisher
{
    public const string Flag = "--cancel-job";

    /// <returns>0 once the broker confirmed the cancel, 1 when it could not be published.</returns>
    public static async Task<int> RunAsync(TerminusSettings s, JobId jobId, string? reason, TextWriter output)
    {
        try
        {
            var factory = AmqpConnections.CreateFactory(s.Broker);
            await using var connection = await factory.CreateConnectionAsync($"terminus-cancel@{s.HostName}").ConfigureAwait(false);
            uint consumers;
            await using (var probe = await connection.CreateChannelAsync().ConfigureAwait(false))
                consumers = (await probe.QueueDeclarePassiveAsync(s.MonitorQueue).ConfigureAwait(false)).ConsumerCount;
            var (routingKey, queue) = consumers > 0 ? (s.MonitorRoutingKey, s.MonitorQueue) : (s.JobRoutingKey, s.JobQueue);
            var kwargs = new Dictionary<string, object?> { ["by"] = "operator" };
            if (reason is not null) kwargs["reason"] = reason;
            var message = new CeleryEncoder(CeleryOrigin.ForThisProcess())
                .Message(CancelBinder.TaskName, TerminusSettings.PortalExchange, routingKey, [jobId.Value], kwargs);
            await using var publisher = new AmqpPublisher(factory, $"terminus-cancel@{s.HostName}", TimeSpan.FromSeconds(10));
            await publisher.PublishAsync(message, CancellationToken.None).ConfigureAwait(false);
            output.WriteLine(consumers > 0
                ? $"cancel of job {jobId} sent to {queue} (task {message.TaskId}); the daemon takes it at once"
                : $"cancel of job {jobId} sent to {queue} (task {message.TaskId}); no daemon consumes {s.MonitorQueue} now: it takes effect when the daemon is back");
            return ExitCodes.Ok;
        }
        catch (Exception e)
        {
            output.WriteLine($"cancel of job {jobId} not sent: {s.Broker.Describe()}: {AmqpConnections.Explain(e, s.MonitorQueue)}");
            return ExitCodes.Failure;
        }
    }
}
