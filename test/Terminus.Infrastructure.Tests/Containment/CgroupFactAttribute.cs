using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>
/// A test on this host's real cgroups: skipped, saying why, only when this user can write no cgroup (or none with the
/// controllers the test needs); never skipped on a host that can, so CI (root) always runs it.
/// </summary>
public sealed class CgroupFactAttribute : FactAttribute
{
    public CgroupFactAttribute(params string[] controllers)
    {
        var probe = CgroupHost.Probe("terminus-probe");
        if (!probe.IsUsable) Skip = $"no writable cgroup on this host: {probe.Description}";
        else if (controllers.FirstOrDefault(c => !probe.Trees.Any(t => t.Has(c))) is { } missing)
            Skip = $"no writable cgroup with the {missing} controller on this host: {probe.Description}";
    }
}
