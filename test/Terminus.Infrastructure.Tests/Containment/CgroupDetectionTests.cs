using Terminus.Core.Containment;
using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Containment;

public sealed class CgroupDetectionTests : IDisposable
{
    private const string Key = "terminus-1a2b3c4d";
    private const string Unit = "/system.slice/terminus.service";
    private readonly FakeCgroupTree _tree = new();

    public void Dispose() => _tree.Dispose();

    // This project's CI host, trimmed: hybrid, the daemon in a non-root v1 memory cgroup.
    private static readonly CgroupLayout HybridHost = CgroupLayout.Parse(
        "8:pids:/\n4:memory:/process_api/608eb4e7a2c194a7f0e43216f8d44ae3\n1:name=systemd:/\n0::/\n",
        """
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """);

    private static bool Nothing(string path) => false;

    private CgroupLayout SystemdLayout(string ownPath = Unit) => CgroupLayout.Parse($"0::{ownPath}\n", _tree.MountInfo);

    private string DelegatedUnit(string controllers = "cpu io memory pids") => _tree.Cgroup(Unit,
        ("cgroup.controllers", controllers + "\n"), ("cgroup.subtree_control", ""), ("cgroup.procs", "4242\n"), ("cgroup.events", "populated 1\nfrozen 0\n"));

    [Fact]
    public void A_delegated_v2_unit_whose_daemon_sits_in_its_own_cgroup_gets_membership_only_and_is_told_how_to_get_limits()
    {
        var unit = DelegatedUnit();
        var before = _tree.Snapshot();

        var probe = CgroupHost.Probe(Key, SystemdLayout());

        Assert.Equal(before, _tree.Snapshot());
        Assert.Equal(CgroupMechanism.V2MembershipOnly, probe.Mechanism);
        Assert.Equal($"{Unit}/{Key}", Assert.Single(probe.Trees).Path);
        Assert.Contains($"the daemon sits in {unit} itself: for memory and task limits start it in a sub-cgroup named 'daemon' (systemd 254 or later: DelegateSubgroup=daemon)",
            probe.Description);
    }

    [Fact]
    public void A_daemon_in_its_leaf_owns_the_parent_and_activation_hands_memory_and_pids_down_twice()
    {
        var unit = DelegatedUnit();
        _tree.Cgroup(Unit + "/daemon", ("cgroup.procs", "4242\n"));
        _tree.Cgroup($"{Unit}/{Key}", ("cgroup.subtree_control", ""));
        File.WriteAllText(Path.Combine(unit, "cgroup.procs"), "");

        var probe = CgroupHost.Probe(Key, SystemdLayout(Unit + "/daemon"));
        Assert.Equal((CgroupMechanism.V2Delegated, unit), (probe.Mechanism, probe.V2Owner));
        var tree = Assert.Single(probe.Trees);
        Assert.Equal((Path.Combine(unit, Key), $"{Unit}/{Key}", true, true), (tree.Directory, tree.Path, tree.Has("memory"), tree.Has("pids")));
        Assert.Equal($"cgroup v2 (memory, pids) under {unit}/{Key}", probe.Description);

        var host = CgroupHost.Activate(probe);
        Assert.Equal("+memory +pids", File.ReadAllText(Path.Combine(unit, "cgroup.subtree_control")));
        Assert.Equal("+memory +pids", File.ReadAllText(Path.Combine(unit, Key, "cgroup.subtree_control")));
        Assert.Equal(new JobLimits(64, 10), host.Enforceable(new JobLimits(64, 10)));
    }

    [Fact]
    public void A_v2_cgroup_without_memory_and_pids_gives_membership_only()
    {
        var unit = DelegatedUnit(controllers: "cpu io");

        var probe = CgroupHost.Probe(Key, SystemdLayout());

        Assert.Equal(CgroupMechanism.V2MembershipOnly, probe.Mechanism);
        Assert.Equal((false, false), (probe.CanLimitMemory, probe.CanLimitTasks));
        Assert.StartsWith($"cgroup v2 membership under {unit}/{Key}: jobs are followed and killed, but no memory or task limit", probe.Description);
        Assert.Contains($"cgroup v2 {unit} offers cpu, io, not memory and pids", probe.Description);
    }

    [Fact]
    public void A_systemd_unit_without_delegation_is_not_writable_and_gives_none()
    {
        DelegatedUnit();

        var probe = CgroupHost.Probe(Key, SystemdLayout(), Nothing, uid: 1000);

        Assert.Equal(CgroupMechanism.None, probe.Mechanism);
        Assert.False(probe.IsUsable);
        Assert.Equal($"none: {_tree.MountPoint}{Unit} is not writable by uid 1000; no cgroup v1 hierarchy is mounted", probe.Description);
        Assert.Throws<CgroupException>(() => CgroupHost.Activate(probe));
    }

    [Fact]
    public void An_unprivileged_daemon_on_this_kind_of_hybrid_host_gets_none_and_every_reason()
    {
        var probe = CgroupHost.Probe(Key, HybridHost, Nothing, uid: 1000);

        Assert.Equal("none: /sys/fs/cgroup/unified is not writable by uid 1000; "
            + "/sys/fs/cgroup/memory/process_api/608eb4e7a2c194a7f0e43216f8d44ae3 is not writable by uid 1000; "
            + "/sys/fs/cgroup/pids is not writable by uid 1000", probe.Description);
    }

    [Fact]
    public void With_only_the_v1_pids_cgroup_writable_tasks_are_bounded_but_memory_is_not()
    {
        var probe = CgroupHost.Probe(Key, HybridHost, path => path == "/sys/fs/cgroup/pids", uid: 1000);

        Assert.Equal(CgroupMechanism.V1, probe.Mechanism);
        Assert.Equal((false, true), (probe.CanLimitMemory, probe.CanLimitTasks));
        Assert.Equal($"cgroup v1 (pids) under /sys/fs/cgroup/pids/{Key}; no memory limit: "
            + "/sys/fs/cgroup/memory/process_api/608eb4e7a2c194a7f0e43216f8d44ae3 is not writable by uid 1000", probe.Description);
    }

    [Fact]
    public void Keys_must_be_plain_names()
    {
        Assert.Throws<ArgumentException>(() => CgroupHost.Probe("../etc", SystemdLayout()));
    }
}
