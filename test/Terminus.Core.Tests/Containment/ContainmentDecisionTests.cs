using Terminus.Core.Configuration;
using Terminus.Core.Containment;
using Terminus.Core.Operator;

namespace Terminus.Core.Tests.Containment;

public sealed class ContainmentDecisionTests
{
    private const string Found = "cgroup v1 (memory, pids) under /sys/fs/cgroup/memory/terminus-1a2b3c4d";
    private const string NoneFound = "none: /sys/fs/cgroup/memory is not writable by uid 1000";

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.Cgroup)]
    public void A_usable_cgroup_is_used_unless_the_configuration_says_never(ContainmentMode mode)
    {
        var d = ContainmentDecision.Decide(mode, cgroupUsable: true, Found);
        Assert.Equal((ContainmentChoice.Cgroup, CheckVerdict.Ok, Found), (d.Choice, d.Verdict, d.Detail));
    }

    [Fact]
    public void Without_a_usable_cgroup_auto_falls_back_to_the_process_tree_with_a_warning()
    {
        var d = ContainmentDecision.Decide(ContainmentMode.Auto, cgroupUsable: false, NoneFound);
        Assert.Equal((ContainmentChoice.Subreaper, CheckVerdict.Warn), (d.Choice, d.Verdict));
        Assert.Contains(NoneFound, d.Detail);
        Assert.Contains("no memory or task limit", d.Detail);
    }

    [Fact]
    public void Without_a_usable_cgroup_a_required_cgroup_refuses_to_start()
    {
        var d = ContainmentDecision.Decide(ContainmentMode.Cgroup, cgroupUsable: false, NoneFound);
        Assert.Equal((ContainmentChoice.Refuse, CheckVerdict.Fail), (d.Choice, d.Verdict));
        Assert.Contains("TERMINUS_CONTAINMENT=cgroup", d.Detail);
        Assert.Contains(NoneFound, d.Detail);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Subreaper_never_uses_a_cgroup(bool usable)
    {
        var d = ContainmentDecision.Decide(ContainmentMode.Subreaper, usable, usable ? Found : NoneFound);
        Assert.Equal((ContainmentChoice.Subreaper, CheckVerdict.Warn), (d.Choice, d.Verdict));
        Assert.Contains("TERMINUS_CONTAINMENT=subreaper", d.Detail);
    }
}
