using Terminus.Core.Configuration;
using Terminus.Core.Containment;
using Terminus.Core.Services;
using Terminus.Infrastructure.Containment;

namespace Terminus.Actors.Execution.Containment;

/// <summary>The host's cgroups (<see cref="CgroupHost"/>) as the local runner uses them, with each job's limits.</summary>
public sealed class HostCgroups(CgroupHost host, ExecutionSettings execution) : IJobCgroups
{
    public string Description => host.Description;

    public IJobCgroup Create(string key, ServiceDefinition service) => Wrap(host.CreateJob(key, host.Enforceable(JobLimits.For(service, execution))));

    public IJobCgroup? Open(string key) => host.OpenJob(key) is { } cgroup ? Wrap(cgroup) : null;

    private static IJobCgroup Wrap(JobCgroup cgroup) => new Job(cgroup);

    /// <summary>
    /// What the daemon runs local jobs in, as <see cref="ContainmentDecision"/> decides for its configuration (the same
    /// decision <c>terminus check</c> reports): the host's cgroups, activated, or null for the process-tree fallback.
    /// A cgroup mechanism that fails to activate falls back too, unless <c>TERMINUS_CONTAINMENT=cgroup</c> requires it.
    /// </summary>
    /// <exception cref="CgroupException">The configuration requires a cgroup and none is usable.</exception>
    public static IJobCgroups? ForDaemon(TerminusSettings settings, Action<string> report)
    {
        var mode = settings.Execution.Containment;
        var probe = mode == ContainmentMode.Subreaper ? null : CgroupHost.Probe(CgroupNames.InstanceKey(settings.JobDir));
        var decision = ContainmentDecision.Decide(mode, probe?.IsUsable ?? false, probe?.Description ?? "");
        switch (decision.Choice)
        {
            case ContainmentChoice.Refuse:
                throw new CgroupException(decision.Detail);
            case ContainmentChoice.Subreaper:
                report($"job containment: {decision.Detail}");
                return null;
        }
        try
        {
            var cgroups = new HostCgroups(CgroupHost.Activate(probe!), settings.Execution);
            report($"job containment: {cgroups.Description}");
            return cgroups;
        }
        catch (CgroupException e) when (mode != ContainmentMode.Cgroup)
        {
            report($"job containment: process tree (subreaper) fallback, as the cgroups could not be made ready: {e.Message}");
            return null;
        }
    }

    private sealed class Job(JobCgroup cgroup) : IJobCgroup
    {
        public string Key => cgroup.Key;
        public IReadOnlyList<string> ProcsFiles => cgroup.ProcsFiles;
        public long? MemoryLimitMb => cgroup.MemoryLimitMb;
        public IReadOnlyCollection<int> Members() => cgroup.Members();
        public void KillAll() => cgroup.Kill(JobCgroup.SigKill);
        public long OomKills() => cgroup.OomKills() ?? 0;
        public void Remove() => cgroup.Remove();
    }
}
