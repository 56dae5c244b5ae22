using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Terminus.Actors.Hosting;
using Terminus.Actors.Jobs;

namespace Terminus.Host;

/// <summary>
/// The daemon under systemd (Type=notify): READY=1 once the ledger is recovered and both queues are consumed,
/// WATCHDOG=1 every half watchdog interval while the job supervisor answers (a wedged actor system stops petting
/// the watchdog, and systemd restarts the daemon), with a STATUS= line while the ledger cannot be written, STOPPING=1
/// on the way out. Outside systemd it only logs readiness.
/// </summary>
public sealed class SystemdService(TerminusReadiness readiness, IRequiredActor<JobSupervisorActor> supervisor, ILogger<SystemdService> log) : BackgroundService
{
    private readonly SystemdNotifier _notifier = SystemdNotifier.FromEnvironment();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.Ready.WaitAsync(stoppingToken);
        log.LogInformation("Ready: ledger recovered, consuming the job and probe queues{Systemd}", _notifier.Enabled ? " (told systemd)" : "");
        _notifier.Notify("READY=1\nSTATUS=consuming jobs and probes");
        if (SystemdNotifier.WatchdogInterval() is not { } interval) return;

        var every = interval / 2;
        var shown = "consuming jobs and probes";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var live = await (await supervisor.GetAsync(stoppingToken)).Ask<LiveJobs>(GetLiveJobs.Instance, every, stoppingToken);
                // Alive either way (a restart would not mend a full disk); systemctl status says what is wrong.
                var status = live.LedgerProblem is { } problem ? $"not taking jobs, not answering probes: {problem}" : "consuming jobs and probes";
                _notifier.Notify(status == shown ? "WATCHDOG=1" : $"WATCHDOG=1\nSTATUS={status}");
                shown = status;
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("The job supervisor did not answer within {Seconds} s: not petting systemd's watchdog", every.TotalSeconds);
            }
            await Task.Delay(every, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _notifier.Notify("STOPPING=1");
        return base.StopAsync(cancellationToken);
    }
}
