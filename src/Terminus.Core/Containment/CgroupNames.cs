using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Terminus.Core.Containment;

/// <summary>
/// Names of the directories the daemon creates: one per daemon instance (<c>terminus-1a2b3c4d</c>, from its job
/// directory, so that two daemons on one host never share one) and one per job run under it (<c>job-42-run-1</c>).
/// </summary>
public static partial class CgroupNames
{
    /// <summary>The instance key of the daemon whose jobs live in <paramref name="jobDir"/> (the daemon and <c>terminus check</c> agree on it).</summary>
    public static string InstanceKey(string jobDir)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(jobDir).TrimEnd('/')));
        return "terminus-" + Convert.ToHexStringLower(hash)[..8];
    }

    /// <summary>The key of one run of a job: its cgroup directory's name.</summary>
    public static string JobKey(long jobId, int run) => $"job-{jobId}-run-{run}";

    /// <summary>
    /// A key is one directory name of letters, digits, '-' and '_': no '.', so that it can never be taken for a
    /// control file (<c>memory.max</c>) nor climb out (<c>..</c>).
    /// </summary>
    public static bool IsValidKey(string key) => KeyRegex().IsMatch(key);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z")]
    private static partial Regex KeyRegex();
}
