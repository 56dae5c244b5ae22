using Terminus.Actors.Amqp;
using Terminus.Actors.Steps;

namespace Terminus.Actors.Hosting;

/// <summary>
/// The seams between the actor system and the outside world: how messages are published and how each step
/// is executed. The host passes the real ones; tests may pass others.
/// </summary>
public sealed record TerminusRuntime(
    Func<string, IMessagePublisher> CreatePublisher,
    IStepExecutor Runner,
    IStepExecutor Packager,
    IStepExecutor Uploader);
