using Terminus.Core.Containment;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// Decides the mechanism from the layout and what this user may write, reading only: delegated v2, then v1 memory
/// and pids, then v2 membership, then none with every reason found.
/// </summary>
internal static class CgroupDetection
{
    public const string LeafName = "daemon";
    private static readonly string[] Wanted = ["memory", "pids"];

    public static CgroupProbe Probe(string instanceKey, CgroupLayout layout, Func<string, bool> isWritable, uint uid)
    {
        if (!CgroupNames.IsValidKey(instanceKey)) throw new ArgumentException($"'{instanceKey}' is not a valid instance key", nameof(instanceKey));
        var problems = new List<string>();
        string NotWritable(string path) => $"{path} is not writable by uid {uid}";

        var v2 = InspectV2(layout.Unified, isWritable, problems, NotWritable);
        if (v2 is { Delegated: true, HoldsProcesses: true })
        {
            // Handing controllers down would need the daemon out of its own cgroup; systemd would then fail to start the
            // next daemon there (KillMode=process keeps the jobs) unless it starts it in the leaf itself.
            problems.Add($"the daemon sits in {v2.Directory} itself: for memory and task limits start it in a sub-cgroup named '{LeafName}' " +
                         $"(systemd 254 or later: DelegateSubgroup={LeafName})");
            v2 = v2 with { Delegated = false };
        }
        if (v2 is { Delegated: true })
        {
            var tree = new CgroupTree(CgroupVersion.V2, Wanted, Path.Combine(v2.Directory, instanceKey), Under(v2.Path, instanceKey));
            return new CgroupProbe(instanceKey, CgroupMechanism.V2Delegated, [tree], $"cgroup v2 (memory, pids) under {tree.Directory}", v2.Directory);
        }

        var (v1, v1Problems) = InspectV1(layout, instanceKey, isWritable, NotWritable);
        problems.AddRange(v1Problems.Values);
        var membership = v2 is null ? null
            : new CgroupTree(CgroupVersion.V2, [], Path.Combine(v2.Directory, instanceKey), Under(v2.Path, instanceKey));
        if (v1.Count > 0)
        {
            var missing = Wanted.Where(c => !v1.Any(t => t.Has(c))).Select(c => $"; no {(c == "pids" ? "task" : c)} limit: {v1Problems[c]}");
            var description = $"cgroup v1 ({string.Join(", ", v1.SelectMany(t => t.Controllers))}) under {string.Join(" and ", v1.Select(t => t.Directory))}"
                + (membership is null ? "" : $", with cgroup v2 membership under {membership.Directory}") + string.Concat(missing);
            return new CgroupProbe(instanceKey, CgroupMechanism.V1, membership is null ? v1 : [.. v1, membership], description);
        }
        if (membership is not null)
            return new CgroupProbe(instanceKey, CgroupMechanism.V2MembershipOnly, [membership],
                $"cgroup v2 membership under {membership.Directory}: jobs are followed and killed, but no memory or task limit is enforced ({string.Join("; ", problems)})");
        return new CgroupProbe(instanceKey, CgroupMechanism.None, [], $"none: {string.Join("; ", problems)}");
    }

    /// <summary>The v2 cgroup the daemon owns, when it may write there; null (with the reason) otherwise.</summary>
    private static V2Place? InspectV2(CgroupHierarchy? unified, Func<string, bool> isWritable, List<string> problems, Func<string, string> notWritable)
    {
        if (unified is null) { problems.Add("no cgroup v2 hierarchy is mounted"); return null; }
        if (unified.OwnDirectory is not { } own) { problems.Add($"the daemon's cgroup v2 {unified.Path} is not visible under {unified.MountPoint}"); return null; }

        // Already in its leaf (an earlier activation, or systemd's DelegateSubgroup=daemon): the owner is the parent.
        var inLeaf = Path.GetFileName(own) == LeafName && own != unified.MountPoint;
        var (directory, path) = inLeaf ? (Path.GetDirectoryName(own)!, Parent(unified.Path)) : (own, unified.Path);
        if (!isWritable(directory) || !isWritable(Path.Combine(directory, "cgroup.procs")))
        {
            problems.Add(notWritable(directory));
            return null;
        }
        var available = (CgroupFiles.ReadIfExists(Path.Combine(directory, "cgroup.controllers")) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var delegated = Wanted.All(available.Contains) && isWritable(Path.Combine(directory, "cgroup.subtree_control"));
        if (!delegated)
            problems.Add($"cgroup v2 {directory} offers {(available.Length == 0 ? "no controller" : string.Join(", ", available))}, not memory and pids");
        // The host's root cgroup may hold processes and hand out controllers at once (it has no cgroup.events): no move.
        var holdsProcesses = !inLeaf && File.Exists(Path.Combine(directory, "cgroup.events"));
        return new V2Place(directory, path, delegated, holdsProcesses);
    }

    /// <summary>The v1 memory and pids trees under the daemon's own cgroups that it may write; for each controller it cannot use, why.</summary>
    private static (List<CgroupTree> Trees, Dictionary<string, string> Problems) InspectV1(
        CgroupLayout layout, string instanceKey, Func<string, bool> isWritable, Func<string, string> notWritable)
    {
        var trees = new List<CgroupTree>();
        var problems = new Dictionary<string, string>();
        if (!layout.Hierarchies.Any(h => h.Version == CgroupVersion.V1))
            return (trees, new() { ["memory"] = "no cgroup v1 hierarchy is mounted" });
        foreach (var controller in Wanted)
        {
            var hierarchy = layout.V1(controller);
            if (hierarchy is null) problems[controller] = $"no cgroup v1 {controller} hierarchy is mounted";
            else if (hierarchy.OwnDirectory is not { } own) problems[controller] = $"the daemon's cgroup v1 {controller} {hierarchy.Path} is not visible under {hierarchy.MountPoint}";
            else if (!isWritable(own)) problems[controller] = notWritable(own);
            else if (trees.FindIndex(t => t.Directory == Path.Combine(own, instanceKey)) is var i and >= 0)
                trees[i] = trees[i] with { Controllers = [.. trees[i].Controllers, controller] }; // co-mounted with the other
            else trees.Add(new CgroupTree(CgroupVersion.V1, [controller], Path.Combine(own, instanceKey), Under(hierarchy.Path, instanceKey)));
        }
        return (trees, problems);
    }

    private static string Under(string cgroupPath, string name) => cgroupPath.TrimEnd('/') + "/" + name;

    private static string Parent(string cgroupPath) => cgroupPath.TrimEnd('/')[..cgroupPath.TrimEnd('/').LastIndexOf('/')] is { Length: > 0 } p ? p : "/";

    private sealed record V2Place(string Directory, string Path, bool Delegated, bool HoldsProcesses);
}
