using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;
using Terminus.Infrastructure.Sandbox;

namespace Terminus.Infrastructure.Tests.Sandbox;

public sealed class SandboxLayoutTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terminus-layout-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir(string relative) => Directory.CreateDirectory(Path.Combine(_root, relative)).FullName;

    private TerminusSettings Settings(string dotDir, string jobDir) =>
        LabSettings.For(Dir("data"), dotDir, jobDir, Dir("services"), ExecutionSettings.Default with { SandboxData = SandboxDataMode.Writable });

    [Fact]
    public void Paths_are_canonical_so_that_a_linked_job_root_still_nests()
    {
        var realJobs = Dir("dot/jobs");
        var linkedJobs = Path.Combine(_root, "jobs");
        File.CreateSymbolicLink(linkedJobs, realJobs);
        Dir("dot/ledger");
        var snap = Dir("archive/output_00001");
        Dir("data/cat/proj/sim");
        File.CreateSymbolicLink(Path.Combine(_root, "data/cat/proj/sim/output_00001"), snap);

        var paths = SandboxLayout.For(Settings(Path.Combine(_root, "dot"), linkedJobs), "7_svc");

        Assert.Equal((realJobs, Path.Combine(realJobs, "7_svc")), (paths.JobRoot, paths.JobDir));
        Assert.Equal((Path.Combine(_root, "dot"), Path.Combine(_root, "dot/ledger")), (paths.DotDir, paths.LedgerDir));
        Assert.Equal([snap], paths.DataLinkTargets);
        Assert.Equal(SandboxDataMode.Writable, paths.DataMode);
        // The job root lies inside the hidden dot dir: no tmpfs of its own, the job's directory bound back.
        Assert.DoesNotContain(SandboxPlan.Create(paths).Mounts, m => m.Path == realJobs);
    }

    [Fact]
    public void A_dot_dir_or_a_ledger_that_does_not_exist_is_nothing_to_hide()
    {
        var paths = SandboxLayout.For(Settings(Path.Combine(_root, "no-dot"), Dir("jobs")), "7_svc");

        Assert.Equal((null, null), (paths.DotDir, paths.LedgerDir));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void A_job_name_must_be_one_directory_name(string jobName)
    {
        Assert.Throws<SandboxPathsException>(() => SandboxLayout.For(Settings(Dir("dot"), Dir("jobs")), jobName));
    }
}
