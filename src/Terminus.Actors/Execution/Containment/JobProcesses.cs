using Akka.Event;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Processes;

namespace Terminus.Actors.Execution.Containment;

/// <summary>
/// The processes of one local job, each tied to it by what the daemon itself recorded in its ledger, never by the
/// runner's files (which the service can rewrite): the runner by pid and start time and every process below it (the
/// runner is their subreaper, so detaching does not leave its tree); whatever is in the job's cgroup; and, in a
/// sweep, whatever carries the job's random token in the environment it started with (what is left of a job whose
/// runner was killed). Init, the daemon and its ancestors are never members, whatever those say. Each signal goes to
/// the process seen (its start time checked while it is held), never to a later one with its pid.
/// </summary>
public sealed class JobProcesses(RunIdentity identity, IJobCgroup? cgroup)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public IJobCgroup? Cgroup => cgroup;

    /// <summary>True while the runner the daemon launched (that pid, that start time) is alive.</summary>
    public bool RunnerAlive => identity.Pid is { } pid && ProcessTable.IsAlive(pid, identity.StartTicks);

    /// <summary>The job's processes now; <paramref name="sweep"/> adds those found only by their token (reads every environment).</summary>
    public IReadOnlyList<ProcStat> Find(bool sweep)
    {
        var all = ProcessTable.All();
        var found = new HashSet<int>();
        if (identity.Pid is { } runner && all.Any(p => p.Pid == runner && p.StartTicks == identity.StartTicks))
        {
            found.Add(runner);
            found.UnionWith(ProcessTable.Descendants(runner, all));
        }
        if (cgroup is not null) found.UnionWith(cgroup.Members());
        if (sweep)
        {
            var entry = $"{RunIdentity.TokenVariable}={identity.Token}";
            foreach (var p in all)
                if (!found.Contains(p.Pid) && ProcessTable.HasEnvironmentEntry(p.Pid, entry)) found.Add(p.Pid);
        }
        var never = ProcessTable.SelfAndAncestors();
        return all.Where(p => found.Contains(p.Pid) && p.Pid > 1 && !never.Contains(p.Pid)).ToList();
    }

    /// <summary>
    /// Ends every process of the job: SIGTERM (the runner passes it to the service, which reports "timed out"), then
    /// SIGKILL to whatever is left after <paramref name="grace"/>, in rounds until nothing is left (processes may fork
    /// meanwhile). Returns how many processes were signalled.
    /// </summary>
    public async Task<int> EndAsync(TimeSpan grace, ILoggingAdapter log, string job)
    {
        var members = Find(sweep: true);
        if (members.Count == 0) return 0;
        var signalled = new HashSet<int>();
        foreach (var p in members) Signal(p, Signals.Term, signalled);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && Find(sweep: false).Count > 0) await Task.Delay(Poll).ConfigureAwait(false);

        for (var round = 0; round < 100; round++)
        {
            var left = Find(sweep: round == 0);
            if (left.Count == 0) return signalled.Count;
            if (round == 0) log.Warning("{0}: {1} process(es) still alive {2:0} s after SIGTERM: SIGKILL", job, left.Count, grace.TotalSeconds);
            cgroup?.KillAll();
            foreach (var p in left) Signal(p, Signals.Kill, signalled);
            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }
        log.Error("{0}: processes of the job survive SIGKILL: {1}", job, string.Join(' ', Find(sweep: true).Select(p => p.Pid)));
        return signalled.Count;
    }

    private static void Signal(ProcStat process, int signal, HashSet<int> signalled)
    {
        if (Signals.Send(process.Pid, signal, pid => ProcessTable.Read(pid) is { IsZombie: false } now && now.StartTicks == process.StartTicks))
            signalled.Add(process.Pid);
    }
}
