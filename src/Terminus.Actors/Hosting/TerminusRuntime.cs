using Akka.Event;
using Terminus.Actors.Amqp;
using Terminus.Actors.Execution;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;

namespace Terminus.Actors.Hosting;

/// <summary>
/// The seams between the actor system and the outside world: how messages are published and how each step
/// is executed (each executor made with the actor system's logger). The host uses <see cref="For"/>; tests
/// replace a seam with <c>with</c>.
/// </summary>
public sealed record TerminusRuntime(
    Func<string, IMessagePublisher> CreatePublisher,
    Func<ILoggingAdapter, IStepExecutor> Runner,
    Func<ILoggingAdapter, IStepExecutor> Packager,
    Func<ILoggingAdapter, IStepExecutor> Uploader)
{
    /// <summary>The real world: RabbitMQ with publisher confirms, local processes, tar.gz, rsync over SSH.</summary>
    public static TerminusRuntime For(TerminusSettings settings) => new(
        name => new AmqpPublisher(AmqpConnections.CreateFactory(settings.Broker), $"{name}@{settings.HostName}",
            TerminusHostingExtensions.ConfirmTimeout),
        log => settings.UseSlurm
            ? new UnavailableStepExecutor("SLURM submission")
            : new LocalServiceRunner(settings, log),
        log => new TarPackager(settings.JobDir, settings.Execution.MaxTarballBytes, log),
        log => new RsyncUploader(settings.JobDir, settings.StorageSshAlias, settings.Execution, log));
}
