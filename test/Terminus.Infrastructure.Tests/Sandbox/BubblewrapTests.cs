using Terminus.Infrastructure.Sandbox;
using Terminus.TestSupport;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>The detection on this host, for real: root, an unprivileged user, and one whose user namespaces are off.</summary>
public sealed class BubblewrapTests
{
    private const string HostLimit = "/proc/sys/user/max_user_namespaces";

    [Fact]
    public void Bwrap_is_found_on_the_path_given_and_only_there()
    {
        Assert.Equal("/usr/bin/bwrap", Bubblewrap.Locate("/nonexistent:/usr/bin"));
        Assert.Equal("/usr/bin/bwrap", Bubblewrap.Locate(null));
        Assert.Null(Bubblewrap.Locate("/nonexistent:relative/bin"));
    }

    [Fact]
    public async Task Without_bwrap_on_the_path_it_is_not_installed_and_the_package_is_named()
    {
        var probe = await Bubblewrap.ProbeAsync("/nonexistent");

        Assert.Equal((null, false), (probe.Program, probe.Works));
        Assert.Equal("bwrap is not installed (none on PATH; the Debian package is bubblewrap)", probe.Description);
    }

    [AsRootFact]
    public async Task As_root_it_works()
    {
        var probe = await Bubblewrap.ProbeAsync(null);

        Assert.True(probe.Works, probe.Description);
        Assert.Equal("/usr/bin/bwrap", probe.Program);
        Assert.Matches(@"^bwrap \d+\.\d+\.\d+ \(/usr/bin/bwrap\) works here$", probe.Description);
    }

    [AsRootFact]
    public async Task An_unprivileged_user_gets_it_through_a_user_namespace_of_its_own()
    {
        var probe = await Bubblewrap.ProbeAsync(null, RunAs.Nobody);

        Assert.True(probe.Works, probe.Description);
    }

    [AsRootFact]
    public async Task With_user_namespaces_off_bwrap_is_refused_and_told_why_for_a_user_and_for_root_alike()
    {
        var hostLimit = File.ReadAllText(HostLimit);

        var nobody = await Bubblewrap.ProbeAsync(null, [.. RunAs.UserNamespacesOff, .. RunAs.Nobody]);
        var root = await Bubblewrap.ProbeAsync(null, RunAs.UserNamespacesOff);

        Assert.False(nobody.Works, nobody.Description);
        Assert.StartsWith("bwrap", nobody.Description);
        Assert.Contains("does not work here: bwrap: Creating new namespace failed", nobody.Description);
        Assert.Contains("unprivileged user namespaces are off or restricted", nobody.Description);
        Assert.False(root.Works, root.Description); // a job of a root daemon takes a user namespace too, to drop its capabilities there
        Assert.Equal(hostLimit, File.ReadAllText(HostLimit));
    }
}
