using Terminus.Core.Containment;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// This daemon's place in one hierarchy: the instance directory its jobs' cgroups are created in, that directory as
/// <c>/proc/&lt;pid&gt;/cgroup</c> shows it, and the controllers used there (memory, pids; none for plain membership).
/// </summary>
public sealed record CgroupTree(CgroupVersion Version, IReadOnlyList<string> Controllers, string Directory, string Path)
{
    public bool Has(string controller) => Controllers.Contains(controller, StringComparer.Ordinal);

    public override string ToString() =>
        $"{(Version == CgroupVersion.V2 ? "v2" : "v1")} {(Controllers.Count > 0 ? string.Join(",", Controllers) : "membership")} {Directory}";
}
