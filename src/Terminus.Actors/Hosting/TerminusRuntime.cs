using Terminus.Actors.Amqp;
using Terminus.Actors.Execution;
using Terminus.Actors.Execution.Containment;
using Terminus.Actors.Execution.Slurm;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Infrastructure.Sandbox;
using Terminus.Infrastructure.Ssh;

namespace Terminus.Actors.Hosting;

/// <summary>
/// The seams between the actor system and the outside world: how messages are published and how each step
/// is executed (each executor made with the actor system and a logger). The host uses <see cref="For"/>; tests
/// replace a seam with <c>with</c>.
/// </summary>
public sealed record TerminusRuntime(
    Func<string, IMessagePublisher> CreatePublisher,
    Func<StepContext, IStepExecutor> Runner,
    Func<StepContext, IStepExecutor> Packager,
    Func<StepContext, IStepExecutor> Uploader)
{
    /// <summary>
    /// The real world: RabbitMQ with publisher confirms, local processes (in <paramref name="cgroups"/>, or followed as
    /// process trees, inside <paramref name="sandbox"/>) or SLURM (each node sandboxing its jobs), tar.gz, rsync over SSH
    /// (through <paramref name="sshMasters"/> where given).
    /// </summary>
    public static TerminusRuntime For(TerminusSettings settings, IJobCgroups? cgroups = null, JobSandbox? sandbox = null, SshMasterPool? sshMasters = null) => new(
        name => new AmqpPublisher(AmqpConnections.CreateFactory(settings.Broker), $"{name}@{settings.HostName}",
            TerminusHostingExtensions.ConfirmTimeout, metricsName: name == "terminus-status" ? "status" : "probe"),
        context => settings.UseSlurm
            ? SlurmRunner.Create(context, settings, new ProcessSlurmCommands(TimeSpan.FromSeconds(60)), sandbox)
            : new LocalServiceRunner(settings, context.Log, cgroups: cgroups, sandbox: sandbox),
        context => new TarPackager(settings.JobDir, settings.Execution.MaxTarballBytes, context.Log),
        context => new RsyncUploader(settings.JobDir, settings.StorageSshAlias, settings.Execution, context.Log, sshMasters,
            TerminusHostingExtensions.UploadWorkers(settings)));
}
