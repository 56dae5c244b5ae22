namespace Terminus.Core.Containment;

/// <summary>
/// One cgroup file system mount from <c>/proc/self/mountinfo</c>: its version, its super options (for v1, the
/// controllers it carries, e.g. <c>rw,memory</c>), the cgroup shown at its root and where it is mounted.
/// </summary>
public sealed record CgroupMount(CgroupVersion Version, IReadOnlySet<string> Options, string Root, string MountPoint);
