namespace Terminus.Core.Containment;

/// <summary>Reads the text of <c>/proc/&lt;pid&gt;/cgroup</c> (<c>hierarchy-id:controllers:path</c>, one line each).</summary>
public static class ProcCgroup
{
    /// <summary>The v2 line and the v1 lines with controllers; named v1 hierarchies and malformed lines are left out.</summary>
    public static IReadOnlyList<CgroupMembership> Parse(string text)
    {
        var memberships = new List<CgroupMembership>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // The path may hold ':' itself: only the first two separate fields.
            var fields = line.Split(':', 3);
            if (fields.Length != 3 || !fields[2].StartsWith('/')) continue;
            var (id, controllers, path) = (fields[0], fields[1], fields[2]);
            if (id == "0" && controllers.Length == 0)
                memberships.Add(new CgroupMembership(CgroupVersion.V2, [], path));
            else if (controllers.Length > 0 && !controllers.Contains('='))
                memberships.Add(new CgroupMembership(CgroupVersion.V1, controllers.Split(','), path));
        }
        return memberships;
    }
}
