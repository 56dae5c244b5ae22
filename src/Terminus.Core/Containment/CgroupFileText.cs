using System.Globalization;

namespace Terminus.Core.Containment;

/// <summary>Reads the texts of cgroup control files: flat-keyed ones (<c>memory.events</c>, <c>memory.oom_control</c>,
/// <c>cgroup.events</c>: <c>key value</c> lines) and pid lists (<c>cgroup.procs</c>).</summary>
public static class CgroupFileText
{
    /// <summary>The value of <paramref name="key"/> in a flat-keyed file, or null when it has no such line.</summary>
    public static long? Value(string text, string key)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0] == key && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }

    /// <summary>A single-number file (<c>memory.limit_in_bytes</c>, <c>pids.current</c>); null for anything else (<c>max</c>).</summary>
    public static long? Number(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The pids of a <c>cgroup.procs</c> text (a pid outside our pid namespace reads as 0 and is kept out).</summary>
    public static IReadOnlyList<int> Pids(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)];
}
