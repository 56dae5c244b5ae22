namespace Terminus.Core.Containment;

/// <summary>
/// A hierarchy this process belongs to and can see: its version, its controllers (v1; empty for v2, whose
/// controllers are read from <c>cgroup.controllers</c>), where it is mounted and the process's cgroup in it.
/// </summary>
/// <param name="Path">The process's cgroup as <c>/proc/self/cgroup</c> shows it, e.g. <c>/system.slice/terminus.service</c>.</param>
/// <param name="OwnDirectory">The directory of that cgroup, e.g. <c>/sys/fs/cgroup/system.slice/terminus.service</c>;
/// null when no mount shows it (the cgroup lies outside the mounted part, as in some containers).</param>
public sealed record CgroupHierarchy(CgroupVersion Version, IReadOnlyList<string> Controllers, string MountPoint, string Path, string? OwnDirectory)
{
    public string Name => Version == CgroupVersion.V2 ? "cgroup v2" : $"cgroup v1 {string.Join(",", Controllers)}";

    public bool Has(string controller) => Controllers.Contains(controller, StringComparer.Ordinal);
}
