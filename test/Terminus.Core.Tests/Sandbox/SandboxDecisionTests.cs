using Terminus.Core.Configuration;
using Terminus.Core.Operator;
using Terminus.Core.Sandbox;

namespace Terminus.Core.Tests.Sandbox;

public sealed class SandboxDecisionTests
{
    private const string Works = "bwrap 0.8.0 (/usr/bin/bwrap) works here";
    private const string Broken = "bwrap (/usr/bin/bwrap) does not work here: Creating new namespace failed";

    [Theory]
    [InlineData(SandboxMode.Auto)]
    [InlineData(SandboxMode.On)]
    public void A_working_sandbox_is_used_unless_the_configuration_says_never(SandboxMode mode)
    {
        var d = SandboxDecision.Decide(mode, usable: true, Works);
        Assert.Equal((SandboxChoice.Sandbox, CheckVerdict.Ok, Works), (d.Choice, d.Verdict, d.Detail));
    }

    [Fact]
    public void Without_a_working_sandbox_auto_runs_jobs_as_before_with_a_warning_that_says_why()
    {
        var d = SandboxDecision.Decide(SandboxMode.Auto, usable: false, Broken);
        Assert.Equal((SandboxChoice.Unsandboxed, CheckVerdict.Warn), (d.Choice, d.Verdict));
        Assert.Contains(Broken, d.Detail);
        Assert.Contains("its secret and ledger included", d.Detail);
    }

    [Fact]
    public void Without_a_working_sandbox_on_refuses_to_start_in_one_line()
    {
        var d = SandboxDecision.Decide(SandboxMode.On, usable: false, Broken);
        Assert.Equal((SandboxChoice.Refuse, CheckVerdict.Fail), (d.Choice, d.Verdict));
        Assert.Equal($"TERMINUS_SANDBOX=on, but jobs cannot be sandboxed here ({Broken}): the daemon will not start", d.Detail);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Off_never_sandboxes(bool usable)
    {
        var d = SandboxDecision.Decide(SandboxMode.Off, usable, usable ? Works : Broken);
        Assert.Equal((SandboxChoice.Unsandboxed, CheckVerdict.Warn), (d.Choice, d.Verdict));
        Assert.Contains("TERMINUS_SANDBOX=off", d.Detail);
    }
}
