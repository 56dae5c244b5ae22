namespace Terminus.Core.Containment;

/// <summary>
/// The cgroup hierarchies this process belongs to and where each is mounted: from the texts of
/// <c>/proc/self/cgroup</c> and <c>/proc/self/mountinfo</c>. A hierarchy that is not mounted is left out.
/// </summary>
public sealed record CgroupLayout(IReadOnlyList<CgroupHierarchy> Hierarchies)
{
    /// <summary>The v2 (unified) hierarchy, when mounted: the whole host on pure v2, <c>/sys/fs/cgroup/unified</c> on a hybrid one.</summary>
    public CgroupHierarchy? Unified => Hierarchies.FirstOrDefault(h => h.Version == CgroupVersion.V2);

    /// <summary>The v1 hierarchy that carries <paramref name="controller"/>, when mounted.</summary>
    public CgroupHierarchy? V1(string controller) =>
        Hierarchies.FirstOrDefault(h => h.Version == CgroupVersion.V1 && h.Has(controller));

    public static CgroupLayout Parse(string procSelfCgroup, string mountInfo)
    {
        var mounts = MountInfo.CgroupMounts(mountInfo);
        var hierarchies = new List<CgroupHierarchy>();
        foreach (var membership in ProcCgroup.Parse(procSelfCgroup))
        {
            var candidates = mounts.Where(m => m.Version == membership.Version
                && membership.Controllers.All(m.Options.Contains)).ToList();
            if (candidates.Count == 0) continue;
            // A hierarchy may be mounted more than once (bind mounts): the first mount that shows our cgroup wins.
            var (mount, own) = candidates.Select(m => (Mount: m, Own: DirectoryOf(membership.Path, m))).FirstOrDefault(c => c.Own is not null);
            mount ??= candidates[0];
            hierarchies.Add(new CgroupHierarchy(membership.Version, membership.Controllers, mount.MountPoint, membership.Path, own));
        }
        return new CgroupLayout(hierarchies);
    }

    /// <summary>
    /// Where the cgroup <paramref name="path"/> lies under <paramref name="mount"/>, whose root may be a cgroup deeper
    /// than the hierarchy's root (a container without its own cgroup namespace); null if it lies outside.
    /// </summary>
    internal static string? DirectoryOf(string path, CgroupMount mount)
    {
        // "/../.." is how a cgroup namespace shows a cgroup above its own root: not reachable from here.
        if (path.Split('/').Contains("..")) return null;
        var root = mount.Root.TrimEnd('/');
        var trimmed = path.TrimEnd('/');
        if (trimmed != root && !trimmed.StartsWith(root + "/", StringComparison.Ordinal)) return null;
        var relative = trimmed[root.Length..];
        return mount.MountPoint.TrimEnd('/') + relative is { Length: > 0 } directory ? directory : "/";
    }
}
