using RabbitMQ.Client;
using Terminus.Actors.Housekeeping;
using Terminus.Core;
using Terminus.Core.Celery;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Operator;

namespace Terminus.Actors.Amqp;

/// <summary>
/// <c>terminus cancel</c>'s way to the daemon: it publishes <c>cancel_terminus_job(jobid, reason, by="operator")</c>
/// through the portal's exchange to the monitor queue, with the daemon's own connection settings, as a portal would, while
/// a daemon consumes that queue. Otherwise (the daemon is down or cut off from the broker, or the broker cannot be
/// reached) the cancel is left in the daemon's cancel inbox (<see cref="CancelInbox"/>), which the daemon reads at start,
/// before any job can take a slot, and every 2 s while it runs. Neither queue would do then: the monitor queue
/// dead-letters after 30 s as "host down", and the job queue is read only when a job slot is free.
/// <c>terminus-daemon --cancel-job ID [REASON]</c> runs it, so the operator's command needs no broker client.
/// </summary>
public static class CancelPublisher
{
    public const string Flag = "--cancel-job";

    /// <returns>0 once the broker confirmed the cancel, 1 when it could not be published.</returns>
    public static async Task<int> RunAsync(TerminusSettings s, JobId jobId, string? reason, TextWriter output)
    {
        string why;
        try
        {
            var factory = AmqpConnections.CreateFactory(s.Broker);
            await using var connection = await factory.CreateConnectionAsync($"terminus-cancel@{s.HostName}").ConfigureAwait(false);
            uint consumers;
            await using (var probe = await connection.CreateChannelAsync().ConfigureAwait(false))
                consumers = (await probe.QueueDeclarePassiveAsync(s.MonitorQueue).ConfigureAwait(false)).ConsumerCount;
            if (consumers > 0)
            {
                var kwargs = new Dictionary<string, object?> { ["by"] = "operator" };
                if (reason is not null) kwargs["reason"] = reason;
                var message = new CeleryEncoder(CeleryOrigin.ForThisProcess())
                    .Message(CancelBinder.TaskName, TerminusSettings.PortalExchange, s.MonitorRoutingKey, [jobId.Value], kwargs);
                await using var publisher = new AmqpPublisher(factory, $"terminus-cancel@{s.HostName}", TimeSpan.FromSeconds(10));
                await publisher.PublishAsync(message, CancellationToken.None).ConfigureAwait(false);
                output.WriteLine($"cancel of job {jobId} sent to {s.MonitorQueue} (task {message.TaskId}); the daemon takes it at once");
                return ExitCodes.Ok;
            }
            why = $"no daemon consumes {s.MonitorQueue} now";
        }
        catch (Exception e)
        {
            why = $"the broker cannot be reached ({s.Broker.Describe()}: {AmqpConnections.Explain(e, s.MonitorQueue)})";
        }
        try
        {
            var note = new CancelInbox(s.CancelInboxDir).Leave(jobId, reason);
            output.WriteLine($"cancel of job {jobId} left in {note}: {why}; the daemon takes it when it starts, or within {Chores.CancelInboxInterval.TotalSeconds:0} s if it runs");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"cancel of job {jobId} not sent: {why}, and it cannot be left in {s.CancelInboxDir}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
