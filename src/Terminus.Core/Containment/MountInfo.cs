using System.Text;

namespace Terminus.Core.Containment;

/// <summary>
/// Reads the cgroup mounts out of <c>/proc/self/mountinfo</c>: <c>id parent major:minor root mount-point options
/// [optional fields] - fstype source super-options</c>, with spaces and other bytes in paths escaped as <c>\ooo</c>.
/// </summary>
public static class MountInfo
{
    public static IReadOnlyList<CgroupMount> CgroupMounts(string text)
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var separator = fields.Length > 6 ? Array.IndexOf(fields, "-", 6) : -1;
            if (separator < 0 || fields.Length < separator + 4) continue;
            CgroupVersion? version = fields[separator + 1] switch
            {
                "cgroup2" => CgroupVersion.V2,
                "cgroup" => CgroupVersion.V1,
                _ => null,
            };
            if (version is null) continue;
            var options = fields[separator + 3].Split(',').ToHashSet(StringComparer.Ordinal);
            mounts.Add(new CgroupMount(version.Value, options, Unescape(fields[3]), Unescape(fields[4])));
        }
        return mounts;
    }

    /// <summary>Undoes the kernel's octal escapes (<c>\040</c> for a space, <c>\134</c> for a backslash).</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var bytes = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field[(i + 1)..(i + 4)].All(c => c is >= '0' and <= '7'))
            {
                bytes.Add((byte)Convert.ToInt32(field[(i + 1)..(i + 4)], 8));
                i += 3;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
