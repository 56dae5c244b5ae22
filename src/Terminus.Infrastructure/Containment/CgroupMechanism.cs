namespace Terminus.Infrastructure.Containment;

/// <summary>How this daemon contains its jobs, in order of preference.</summary>
public enum CgroupMechanism
{
    /// <summary>cgroup v2 with the memory and pids controllers delegated to the daemon (systemd's <c>Delegate=yes</c>).</summary>
    V2Delegated,

    /// <summary>cgroup v1 memory and/or pids hierarchies the daemon may write under its own cgroup (with v2 membership when it can).</summary>
    V1,

    /// <summary>cgroup v2 without controllers: membership and kill, no limits.</summary>
    V2MembershipOnly,

    /// <summary>No cgroup is usable: the caller falls back to following the process tree.</summary>
    None,
}
