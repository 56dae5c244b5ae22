using System.Globalization;
using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Containment;

public sealed class DaemonOomScoreTests : IDisposable
{
    private const string File = "/proc/self/oom_score_adj";
    private const int CapSysResource = 24;
    private readonly string _original = System.IO.File.ReadAllText(File).Trim();

    // Back to where it was: raising is always allowed, and so is lowering to a value this process had.
    public void Dispose() => System.IO.File.WriteAllText(File, _original);

    private static int Score => int.Parse(System.IO.File.ReadAllText(File).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Root without CAP_SYS_RESOURCE is common in containers (this project's CI host is one).</summary>
    private static bool MayLower =>
        System.IO.File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal)) is var line
        && (ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << CapSysResource)) != 0;

    [Fact]
    public void The_daemon_lowers_its_oom_score_when_allowed_and_says_why_not_when_refused()
    {
        var before = Score;

        var result = DaemonOomScore.Lower(-900);

        Assert.Equal((before, Score), (result.Before, result.After));
        if (MayLower)
            Assert.Equal((true, -900), (result.Protected, result.After));
        else
        {
            Assert.Equal((false, before), (result.Protected, result.After));
            Assert.Contains("needs CAP_SYS_RESOURCE", result.Description);
        }
    }

    [Fact]
    public void A_score_already_that_low_is_left_alone()
    {
        System.IO.File.WriteAllText(File, "100");

        var result = DaemonOomScore.Lower(200);

        Assert.Equal((true, 100, 100, 100), (result.Protected, result.Before, result.After, Score));
    }
}
