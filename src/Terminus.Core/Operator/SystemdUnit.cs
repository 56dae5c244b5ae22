using System.Text;

namespace Terminus.Core.Operator;

/// <summary>
/// The systemd unit <c>terminus config</c> writes for this user (0.7 wrote <c>~/.terminus/terminus.service</c> too):
/// Type=notify (ready once the broker is consumed and the ledger recovered), a watchdog the daemon pets only while
/// its actor system answers, restarts on failure but not on a configuration error, a stop timeout longer than the
/// daemon's graceful stop, KillMode=process so services outlive a restart of the daemon, and a delegated cgroup
/// subtree for the jobs.
/// </summary>
public static class SystemdUnit
{
    public static string Render(UnitOptions o)
    {
        var s = new StringBuilder();
        s.Append("# Terminus daemon (Terminus.Actors) for the Galactica portal, written by `terminus config`.\n");
        s.Append("# Install: sudo cp ").Append(System.IO.Path.Combine(o.DotDir, "terminus.service")).Append(" /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now terminus\n");
        s.Append("[Unit]\n");
        s.Append("Description=Terminus post-processing daemon for the Galactica portal (").Append(o.HostName).Append(")\n");
        s.Append("After=network-online.target\n");
        s.Append("Wants=network-online.target\n\n");
        s.Append("[Service]\n");
        s.Append("Type=notify\n");
        s.Append("NotifyAccess=main\n");
        s.Append("User=").Append(o.User).Append('\n');
        s.Append("Group=").Append(o.Group).Append('\n');
        s.Append("EnvironmentFile=").Append(System.IO.Path.Combine(o.DotDir, "terminus.env")).Append('\n');
        s.Append("Environment=TERMINUS_DOT_DIR=").Append(o.DotDir).Append('\n');
        s.Append("WorkingDirectory=").Append(o.JobDir).Append('\n');
        s.Append("ExecStart=").Append(o.ExecStart).Append('\n');
        s.Append("Restart=on-failure\n");
        s.Append("RestartSec=5\n");
        s.Append($"# Exit code {ExitCodes.Config} is a configuration error, {ExitCodes.TempFail} another daemon on the same ledger: a restart fixes neither.\n");
        s.Append($"RestartPreventExitStatus={ExitCodes.Config} {ExitCodes.TempFail}\n");
        s.Append("# Ready only once connected to the broker with the ledger recovered: however long the broker is away.\n");
        s.Append("TimeoutStartSec=infinity\n");
        s.Append("# The daemon pets the watchdog while its actors answer; a wedged daemon is restarted.\n");
        s.Append("WatchdogSec=60\n");
        s.Append("# SIGTERM: stop consuming, deliver statuses (<= 15 s), close the ledger (<= 5 s).\n");
        s.Append("KillSignal=SIGTERM\n");
        s.Append("TimeoutStopSec=60\n");
        s.Append("# Only the daemon is stopped: services run on and are picked up again at the next start; each job's\n");
        s.Append("# processes are ended by the daemon when that job ends.\n");
        s.Append("KillMode=process\n");
        s.Append("# The daemon's own cgroup subtree: each local job runs in a cgroup of its own (every process it starts\n");
        s.Append("# found and ended with it; with systemd 254 or later add DelegateSubgroup=daemon for memory and task limits).\n");
        s.Append("Delegate=yes\n");
        s.Append("# The kernel's OOM killer picks a job (which raises its own score) before the daemon.\n");
        s.Append("OOMScoreAdjust=-900\n");
        s.Append("NoNewPrivileges=yes\n\n");
        s.Append("[Install]\n");
        s.Append("WantedBy=multi-user.target\n");
        return s.ToString();
    }
}
