using Akka.Actor;
using Terminus.Actors.Amqp;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Jobs;

/// <summary>A decoded <c>execute_terminus_job</c> with its unsettled delivery, from the intake to the supervisor.</summary>
public sealed record SubmitJob(JobRequest Request, IDelivery Delivery) : INoSerializationVerificationNeeded;

/// <summary>Another delivery of a job that is already live (a redelivery or a re-send): settled with the job.</summary>
public sealed record AttachDelivery(IDelivery Delivery) : INoSerializationVerificationNeeded;

/// <summary>A job's terminal status was confirmed and its deliveries settled; the supervisor retires it.</summary>
public sealed record JobFinished(JobId JobId, string Status, string Message);

/// <summary>The JobActor's collaborators: who validates, who reports, the step pools, and where job directories live.</summary>
public sealed record JobDependencies(
    JobValidator Validator,
    IActorRef Reporter,
    IActorRef Runner,
    IActorRef Packager,
    IActorRef Uploader,
    JobTimeouts Timeouts,
    string JobRoot);

/// <summary>Safety nets above each step's own limits, so no job waits forever on a lost reply.</summary>
public sealed record JobTimeouts(TimeSpan RunGrace, TimeSpan Package, TimeSpan Upload)
{
    public static readonly JobTimeouts Default = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2));
}
