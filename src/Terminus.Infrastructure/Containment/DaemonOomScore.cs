using System.Globalization;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// Makes the kernel's OOM killer pick jobs before the daemon: the daemon lowers its own <c>oom_score_adj</c> (which
/// needs CAP_SYS_RESOURCE; refused, it stays as it is and says so), while each job's launcher raises its own.
/// </summary>
public static class DaemonOomScore
{
    public const int DefaultTarget = -900;
    private const string File = "/proc/self/oom_score_adj";

    public static OomScoreAdjustment Lower(int target = DefaultTarget)
    {
        if (target is < -1000 or > 1000) throw new ArgumentOutOfRangeException(nameof(target), target, "oom_score_adj goes from -1000 to 1000");
        int before;
        try { before = Read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return new OomScoreAdjustment(0, 0, false, $"cannot read {File} ({e.Message}): the daemon's OOM score is left as it is");
        }
        if (before <= target) return new OomScoreAdjustment(before, before, true, $"{File} is already {before} (at most {target})");
        try
        {
            System.IO.File.WriteAllText(File, target.ToString(CultureInfo.InvariantCulture));
            var after = Read();
            return new OomScoreAdjustment(before, after, after <= target, $"{File} lowered from {before} to {after}: the OOM killer takes jobs first");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new OomScoreAdjustment(before, before, false,
                $"cannot lower {File} from {before} to {target} ({e.Message}): that needs CAP_SYS_RESOURCE, so when memory runs out "
                + "the kernel may kill the daemon rather than a job (give it AmbientCapabilities=CAP_SYS_RESOURCE, or OOMScoreAdjust=, in its unit)");
        }
    }

    private static int Read() => int.Parse(System.IO.File.ReadAllText(File).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
