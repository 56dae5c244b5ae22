using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;
using Terminus.Infrastructure.Sandbox;

namespace Terminus.Infrastructure.Tests.Sandbox;

public sealed class SandboxDetectionTests : IDisposable
{
    private readonly FakeLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private Task<SandboxDetection> Detect(SandboxMode mode, string? path = null, string? serviceDir = null) =>
        SandboxDetection.RunAsync(LabSettings.For(_lab.DataDir, _lab.DotDir, _lab.JobRoot, serviceDir ?? _lab.ServiceDir,
            ExecutionSettings.Default with { Sandbox = mode }) with { LedgerPath = Path.Combine(_lab.LedgerDir, "terminus-ledger.db") }, path);

    [AsRootFact]
    public async Task Where_bwrap_works_jobs_are_sandboxed_and_the_detail_says_what_they_see()
    {
        var d = await Detect(SandboxMode.Auto);

        Assert.Equal((SandboxChoice.Sandbox, "/usr/bin/bwrap"), (d.Decision.Choice, d.Bwrap));
        Assert.Matches(@"^bwrap \S+ \(/usr/bin/bwrap\) works here; hidden: ", d.Decision.Detail);
        Assert.Contains($"hidden: {_lab.DotDir}, {_lab.LedgerDir}; read-only: {_lab.DataDir}, {_lab.ServiceDir}, 1 datasource link target; in {_lab.JobRoot} only", d.Decision.Detail);
    }

    [Theory]
    [InlineData(SandboxMode.Auto, SandboxChoice.Unsandboxed)]
    [InlineData(SandboxMode.On, SandboxChoice.Refuse)]
    public async Task Without_bwrap_auto_goes_without_and_on_refuses(SandboxMode mode, SandboxChoice choice)
    {
        var d = await Detect(mode, path: "/nonexistent");

        Assert.Equal((choice, null), (d.Decision.Choice, d.Bwrap));
        Assert.Contains("bwrap is not installed", d.Decision.Detail);
    }

    [Fact]
    public async Task Off_looks_for_nothing()
    {
        var d = await Detect(SandboxMode.Off);

        Assert.Equal((SandboxChoice.Unsandboxed, null), (d.Decision.Choice, d.Bwrap));
        Assert.Contains("TERMINUS_SANDBOX=off", d.Decision.Detail);
    }

    [AsRootFact]
    public async Task Directories_that_make_no_sandbox_are_a_reason_too()
    {
        var d = await Detect(SandboxMode.On, serviceDir: _lab.JobRoot);

        Assert.Equal(SandboxChoice.Refuse, d.Decision.Choice);
        Assert.Contains("the configured directories make no sandbox: the job directory root (TERMINUS_JOB_DIR) and the service directory", d.Decision.Detail);
    }
}
