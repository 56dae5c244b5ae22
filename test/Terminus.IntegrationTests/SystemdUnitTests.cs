using Terminus.IntegrationTests.Infrastructure;

namespace Terminus.IntegrationTests;

/// <summary>The shipped unit passes <c>systemd-analyze verify</c> with warnings treated as errors.</summary>
public sealed class SystemdUnitTests
{
    [Fact]
    public async Task The_shipped_unit_verifies_without_any_warning()
    {
        var unit = Path.Combine(ItEnvironment.RepoRoot, "systemd", "terminus@.service");
        Assert.True(File.Exists(unit), unit);
        var result = await ProcessRunner.RunAsync("systemd-analyze", ["verify", unit], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0 && result.StdOut.Length + result.StdErr.Length == 0,
            $"systemd-analyze verify {unit}: exit {result.ExitCode}\n{result.StdOut}{result.StdErr}");
    }
}
