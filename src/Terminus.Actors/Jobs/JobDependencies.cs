using Akka.Actor;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Jobs;

/// <summary>The JobActor's collaborators: who validates, who reports, the step pools, and where job directories live.</summary>
public sealed record JobDependencies(
    JobValidator Validator,
    IActorRef Reporter,
    IActorRef Runner,
    IActorRef Packager,
    IActorRef Uploader,
    JobTimeouts Timeouts,
    string JobRoot)
{
    /// <summary>The pool that does a step (validation is done by the job itself).</summary>
    public IActorRef StepPool(StepKind step) => step switch
    {
        StepKind.Run => Runner,
        StepKind.Package => Packager,
        StepKind.Upload => Uploader,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no pool does this step"),
    };
}
