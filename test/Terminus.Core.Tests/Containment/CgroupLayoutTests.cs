using Terminus.Core.Containment;

namespace Terminus.Core.Tests.Containment;

public sealed class CgroupLayoutTests
{
    [Fact]
    public void This_hosts_hybrid_layout_has_v1_controllers_and_an_empty_v2_hierarchy()
    {
        var layout = CgroupLayout.Parse(CgroupSamples.HybridHostCgroup, CgroupSamples.HybridHostMountInfo);

        var memory = layout.V1("memory")!;
        Assert.Equal("/process_api/608eb4e7a2c194a7f0e43216f8d44ae3", memory.Path);
        Assert.Equal("/sys/fs/cgroup/memory/process_api/608eb4e7a2c194a7f0e43216f8d44ae3", memory.OwnDirectory);
        Assert.Equal("/sys/fs/cgroup/pids", layout.V1("pids")!.OwnDirectory);
        Assert.Equal("/sys/fs/cgroup/freezer", layout.V1("freezer")!.OwnDirectory);
        Assert.Equal(("/", "/sys/fs/cgroup/unified"), (layout.Unified!.Path, layout.Unified.OwnDirectory));
        Assert.Equal(9, layout.Hierarchies.Count); // name=systemd is not one of them
        Assert.DoesNotContain(layout.Hierarchies, h => h.Controllers.Any(c => c.Contains('=')));
    }

    [Fact]
    public void A_pure_v2_systemd_host_has_only_the_unified_hierarchy_at_the_units_cgroup()
    {
        var layout = CgroupLayout.Parse(CgroupSamples.SystemdV2Cgroup, CgroupSamples.SystemdV2MountInfo);

        var unified = Assert.Single(layout.Hierarchies);
        Assert.Equal(CgroupVersion.V2, unified.Version);
        Assert.Equal("/sys/fs/cgroup/system.slice/terminus.service", unified.OwnDirectory);
        Assert.Null(layout.V1("memory"));
    }

    [Fact]
    public void A_container_with_its_own_cgroup_namespace_sits_at_the_mounts_root()
    {
        var layout = CgroupLayout.Parse(CgroupSamples.DockerV2Cgroup, CgroupSamples.DockerV2MountInfo);

        Assert.Equal(("/", "/sys/fs/cgroup"), (layout.Unified!.Path, layout.Unified.OwnDirectory));
    }

    [Fact]
    public void A_v1_container_without_a_namespace_finds_its_cgroup_at_mounts_rooted_there()
    {
        var layout = CgroupLayout.Parse(CgroupSamples.DockerV1Cgroup, CgroupSamples.DockerV1MountInfo);

        Assert.Equal("/sys/fs/cgroup/memory", layout.V1("memory")!.OwnDirectory);
        Assert.Equal("/sys/fs/cgroup/pids", layout.V1("pids")!.OwnDirectory);
        // Co-mounted controllers are one hierarchy.
        Assert.Same(layout.V1("cpu"), layout.V1("cpuacct"));
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1("cpu")!.OwnDirectory);
        // The v2 line names a cgroup of the host, but no cgroup2 is mounted in the container.
        Assert.Null(layout.Unified);
    }

    [Fact]
    public void A_hybrid_systemd_host_shows_the_session_in_every_hierarchy()
    {
        var layout = CgroupLayout.Parse(CgroupSamples.UbuntuHybridCgroup, CgroupSamples.UbuntuHybridMountInfo);

        const string session = "/user.slice/user-1000.slice/session-3.scope";
        Assert.Equal("/sys/fs/cgroup/unified" + session, layout.Unified!.OwnDirectory);
        Assert.Equal("/sys/fs/cgroup/memory" + session, layout.V1("memory")!.OwnDirectory);
        Assert.Equal("/sys/fs/cgroup/pids" + session, layout.V1("pids")!.OwnDirectory);
    }

    [Theory]
    [InlineData("0::/../../system.slice\n")]        // above our cgroup namespace's root
    [InlineData("0::/elsewhere/entirely\n")]        // not under the mount's root
    public void A_cgroup_no_mount_shows_has_no_directory(string procSelfCgroup)
    {
        const string mountedAt = "40 30 0:37 /docker/abc /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n";
        Assert.Null(CgroupLayout.Parse(procSelfCgroup, mountedAt).Unified!.OwnDirectory);
    }

    [Fact]
    public void Without_any_cgroup_mount_there_is_no_hierarchy()
    {
        Assert.Empty(CgroupLayout.Parse(CgroupSamples.HybridHostCgroup, "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n").Hierarchies);
        Assert.Empty(CgroupLayout.Parse("", "").Hierarchies);
    }

    [Fact]
    public void Escaped_mount_points_and_colons_in_paths_are_read_back()
    {
        var layout = CgroupLayout.Parse("0::/a:b/c\n", "40 30 0:37 / /mnt/my\\040cgroups rw - cgroup2 none rw\n");
        Assert.Equal("/mnt/my cgroups/a:b/c", layout.Unified!.OwnDirectory);
    }

    [Fact]
    public void Malformed_lines_are_skipped()
    {
        var memberships = ProcCgroup.Parse("garbage\n4:memory\n1:name=systemd:/\n4:memory:/x\n0::relative\n");
        var memory = Assert.Single(memberships);
        Assert.Equal((CgroupVersion.V1, "/x"), (memory.Version, memory.Path));
        Assert.Empty(MountInfo.CgroupMounts("40 30 0:37 / /sys/fs/cgroup rw - cgroup2\n1 2 3\n"));
    }
}
