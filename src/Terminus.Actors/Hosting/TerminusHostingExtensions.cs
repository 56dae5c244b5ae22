using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Streams;
using Terminus.Actors.Amqp;
using Terminus.Actors.Execution;
using Terminus.Actors.Housekeeping;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Ledger;
using Terminus.Actors.Monitor;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Actors.Telemetry;
using Terminus.Core.Celery;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Services;
using Terminus.Infrastructure.Operator;

namespace Terminus.Actors.Hosting;

public static class TerminusHostingExtensions
{
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan LedgerStopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The resolution of Akka's timers (its scheduler's tick): fine for timers of 500 ms and more, as all of ours are.</summary>
    public static readonly TimeSpan SchedulerTick = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Everything the daemon runs: the job ledger (SQLite), reporter, step pools, host health, supervisor (which
    /// resumes the ledger's unfinished jobs first), job intake and probe responder.
    /// </summary>
    public static AkkaConfigurationBuilder AddTerminus(this AkkaConfigurationBuilder builder, TerminusSettings settings, TerminusRuntime runtime,
        TerminusReadiness? readiness = null)
    {
        var maxJobs = settings.MaxConcurrentJobs;
        var gate = new AdmissionGate(maxJobs);
        readiness ??= new TerminusReadiness();
        gate.Recovered.ContinueWith(_ => readiness.LedgerRecovered(), TaskScheduler.Default);
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() => DaemonMetrics.ShowIntake(gate));
        // As 0.7's send-only task stubs publish them (ignore_result=True), from this process.
        var encoder = new CeleryEncoder(CeleryOrigin.ForThisProcess(), ignoreResult: true);

        return builder
            .WithLedger(settings.LedgerPath)
            // Akka's scheduler wakes every 10 ms by default once any timer is set, which cost an idle daemon about 66 ms
            // of CPU a second here (docs/architecture.md, "Decisions").
            .AddHocon($$"""
                akka.scheduler.tick-duration = {{(int)SchedulerTick.TotalMilliseconds}}ms
                akka.coordinated-shutdown.phases.service-requests-done.timeout = {{(int)DrainTimeout.TotalSeconds + 2}}s
                akka.coordinated-shutdown.phases.service-stop.timeout = {{(int)(FlushTimeout + LedgerStopTimeout).TotalSeconds + 2}}s
                """, HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                var actors = StartActors(system, settings, runtime, gate, encoder);
                system.ActorOf(ChoreActor.Props(Chores.CompactLedger(settings.LedgerPath, JobSupervisorActor.RetiredRetention)), "ledger-compactor");
                var inbox = new CancelInbox(settings.CancelInboxDir);
                try { inbox.Create(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    system.Log.Warning("The cancel inbox {0} cannot be made ({1}): terminus cancel works only while the daemon reaches the broker", inbox.Directory, e.Message);
                }
                system.ActorOf(ChoreActor.Props(Chores.TakeCancelNotes(inbox, actors.Supervisor, TimeSpan.FromSeconds(10)), Chores.CancelInboxInterval), "cancel-inbox");
                registry.Register<StatusReporterActor>(actors.Reporter);
                registry.Register<JobSupervisorActor>(actors.Supervisor);
            })
            .AddStartup((system, registry) =>
            {
                var log = Logging.GetLogger(system, "terminus");
                var factory = AmqpConnections.CreateFactory(settings.Broker);
                var materializer = system.Materializer(namePrefix: "terminus");
                var supervisor = registry.Get<JobSupervisorActor>();

                var jobsDrain = new DrainSignal();
                new JobIntake(supervisor, gate, log).Graph(JobIntake.Reconnecting(new AmqpSourceSettings(
                    factory, settings.JobQueue, (ushort)maxJobs, $"terminus-jobs@{settings.HostName}", jobsDrain, log)
                {
                    OnConsuming = () => { readiness.JobsConsuming(); DaemonMetrics.Consumer("jobs", true); },
                    OnStopped = () => DaemonMetrics.Consumer("jobs", false),
                }))
                    .Run(materializer);

                var monitorDrain = new DrainSignal();
                var responder = new MonitorResponder(runtime.CreatePublisher("terminus-monitor"), encoder, settings.HostName, log, () => gate.LedgerProblem,
                    new CancelIntake(supervisor, log));
                responder.Graph(JobIntake.Reconnecting(new AmqpSourceSettings(
                    factory, settings.MonitorQueue, 4, $"terminus-monitor@{settings.HostName}", monitorDrain, log)
                {
                    OnConsuming = () => { readiness.MonitorConsuming(); DaemonMetrics.Consumer("monitor", true); },
                    OnStopped = () => DaemonMetrics.Consumer("monitor", false),
                }))
                    .Run(materializer);

                RegisterShutdown(system, registry, jobsDrain, monitorDrain, log);
                log.Info("Terminus daemon for host {0}: consuming {1} (at most {2} concurrent jobs) and {3}, broker {4}, ledger {5}",
                    settings.HostName, settings.JobQueue, maxJobs, settings.MonitorQueue, settings.Broker.Describe(), settings.LedgerPath);
            });
    }

    /// <summary>
    /// The daemon's actors: status reporter, step pools, host health and the job supervisor (which resumes the ledger's
    /// unfinished jobs, then opens the gate). Separate from the hosting so simulations build the very same tree.
    /// </summary>
    public static TerminusActors StartActors(ActorSystem system, TerminusSettings settings, TerminusRuntime runtime, AdmissionGate gate, CeleryEncoder encoder)
    {
        var maxJobs = settings.MaxConcurrentJobs;
        var reporter = system.ActorOf(
            StatusReporterActor.Props(runtime.CreatePublisher("terminus-status"), encoder, settings.HostName), "status-reporter");
        IActorRef Pool(Func<StepContext, IStepExecutor> executor, int size, string name) =>
            system.ActorOf(StepPoolActor.Props(executor(new StepContext(system, Logging.GetLogger(system, name))), size), name);
        var deps = new JobDependencies(
            new JobValidator(settings.DataDir, new ServiceCatalog(settings.ServiceDir)),
            reporter,
            Pool(runtime.Runner, maxJobs, "script-runner"),
            Pool(runtime.Packager, Math.Max(1, Math.Min(maxJobs, Environment.ProcessorCount)), "tar-packager"),
            Pool(runtime.Uploader, maxJobs, "rsync-uploader"), // the rsyncs themselves: at most UploadWorkers (RsyncBatcher)
            JobTimeouts.Default,
            settings.JobDir);
        system.ActorOf(HostHealthActor.Props(gate, settings.JobDir, settings.ServiceDir,
            settings.LedgerDir, settings.Execution.MinFreeBytes), "host-health");
        system.ActorOf(ChoreActor.Props(Chores.PruneFailedJobs(settings.FailedJobDir, settings.Execution.FailedRetention)), "failed-jobs-pruner");
        var supervisor = system.ActorOf(LedgerGuardActor.Props(
            restarted => JobSupervisorActor.Props((id, start) => JobActor.Props(id, start, deps), reporter, gate, settings.HostName, restarted), gate),
            "ledger-guard");
        return new TerminusActors(reporter, supervisor);
    }

    /// <summary>How many rsyncs run at once (each through its own ssh master connection): one per job slot, at most 4.</summary>
    public static int UploadWorkers(TerminusSettings settings) => Math.Max(1, Math.Min(settings.MaxConcurrentJobs, 4));

    private static void RegisterShutdown(ActorSystem system, IActorRegistry registry, DrainSignal jobs, DrainSignal monitor, ILoggingAdapter log)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-consuming", () =>
        {
            log.Info("Stopping: no new jobs or probes are taken; running services go on and are picked up at the next start");
            jobs.Request();
            monitor.Request();
            return Task.FromResult(Akka.Done.Instance);
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "settle-in-flight", async () =>
        {
            await Task.WhenAny(Task.WhenAll(jobs.Drained, monitor.Drained), Task.Delay(DrainTimeout)).ConfigureAwait(false);
            if (!jobs.Drained.IsCompleted)
                log.Warning("Requests still being taken after {0} s; they stay unacknowledged and come back on the next start", DrainTimeout.TotalSeconds);
            return Akka.Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "flush-statuses-and-close-ledger", async () =>
        {
            try
            {
                var reporter = registry.Get<StatusReporterActor>();
                var flushed = await reporter.Ask<StatusesFlushed>(FlushStatuses.Instance, FlushTimeout).ConfigureAwait(false);
                if (flushed.Unpublished > 0) log.Warning("{0} statuses could not be delivered before stopping; they are sent at the next start", flushed.Unpublished);
            }
            catch (Exception e)
            {
                log.Warning("Statuses not all delivered within {0} s ({1}); the rest are sent at the next start", FlushTimeout.TotalSeconds, e.Message);
            }
            try
            {
                await registry.Get<JobSupervisorActor>().Ask<LedgerStopped>(StopLedger.Instance, LedgerStopTimeout).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.Warning("The ledger could not record the clean stop ({0}); the next start treats this run as crashed", e.Message);
            }
            return Akka.Done.Instance;
        });
    }
}
