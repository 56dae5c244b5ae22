namespace Terminus.Core.Tests.Containment;

/// <summary>Real <c>/proc/self/cgroup</c> and <c>/proc/self/mountinfo</c> texts (trimmed to the lines that matter and a few that do not).</summary>
internal static class CgroupSamples
{
    /// <summary>This project's CI host: hybrid, no systemd as pid 1, the daemon in a non-root v1 memory cgroup.</summary>
    public const string HybridHostCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/608eb4e7a2c194a7f0e43216f8d44ae3
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    public const string HybridHostMountInfo = """
        21 26 0:20 / /proc rw,relatime - proc proc rw
        22 26 0:21 / /sys rw,relatime - sysfs sysfs rw
        26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    /// <summary>Debian 12 with systemd, pure v2: the daemon's unit with Delegate=yes.</summary>
    public const string SystemdV2Cgroup = "0::/system.slice/terminus.service\n";

    public const string SystemdV2MountInfo = """
        22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
        23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        24 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        25 23 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:8 - securityfs securityfs rw
        26 23 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        27 23 0:25 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
        29 23 0:27 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700
        """;

    /// <summary>A Docker container on a v2 host with its own cgroup namespace: it sees itself at the root, read-only.</summary>
    public const string DockerV2Cgroup = "0::/\n";

    public const string DockerV2MountInfo = """
        612 536 0:52 / / rw,relatime master:285 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X:/var/lib/docker/overlay2/l/Y,upperdir=/var/lib/docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work
        613 612 0:56 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
        617 612 0:60 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
        618 617 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot
        """;

    /// <summary>A Docker container on a v1 host without a cgroup namespace: each mount's root is the container's cgroup.</summary>
    public const string DockerV1Cgroup = """
        12:pids:/docker/5b7d9e0c1a2f
        11:memory:/docker/5b7d9e0c1a2f
        4:cpu,cpuacct:/docker/5b7d9e0c1a2f
        1:name=systemd:/docker/5b7d9e0c1a2f
        0::/system.slice/containerd.service
        """;

    public const string DockerV1MountInfo = """
        1200 1100 0:120 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755
        1201 1200 0:31 /docker/5b7d9e0c1a2f /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,xattr,name=systemd
        1202 1200 0:34 /docker/5b7d9e0c1a2f /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,cpu,cpuacct
        1203 1200 0:37 /docker/5b7d9e0c1a2f /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:20 - cgroup cgroup rw,memory
        1204 1200 0:41 /docker/5b7d9e0c1a2f /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,relatime master:24 - cgroup cgroup rw,pids
        """;

    /// <summary>Ubuntu 20.04 (systemd, hybrid): a login session's process.</summary>
    public const string UbuntuHybridCgroup = """
        12:memory:/user.slice/user-1000.slice/session-3.scope
        6:pids:/user.slice/user-1000.slice/session-3.scope
        1:name=systemd:/user.slice/user-1000.slice/session-3.scope
        0::/user.slice/user-1000.slice/session-3.scope
        """;

    public const string UbuntuHybridMountInfo = """
        33 24 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        34 33 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
        35 33 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
        41 33 0:36 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids
        47 33 0:42 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:24 - cgroup cgroup rw,memory
        """;
}
