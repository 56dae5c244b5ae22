using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Sandbox;
using Terminus.Core.Services;
using Terminus.Core.Slurm;
using Terminus.Core.Tests.Execution;

namespace Terminus.Core.Tests.Slurm;

public sealed class SlurmScriptTests
{
    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Slurm", "Golden", name));

    [Fact]
    public void The_batch_script_matches_its_golden_file()
    {
        var spec = RunnerRequestTests.Spec() with { Service = RunnerRequestTests.Spec().Service with { Nodes = 4, Cores = 64, TimeoutMinutes = 30 } };
        var script = SlurmScript.Build(spec, "anais", "/opt/conda/bin/python3", JobPaths.For("/data/terminus/jobs", spec));
        Assert.Equal(Golden("density_map.sh"), script);
    }

    private static SlurmSandbox Sandbox(SandboxMode mode, JobPaths paths) => new(mode, SandboxPlan.Create(new SandboxPaths(
        "/data/terminus/data", ["/archive/orion/output_00001"], "/home/lab/.terminus", "/home/lab/.terminus/ledger",
        paths.JobRoot, paths.JobDir, "/home/lab/services", SandboxDataMode.ReadOnly) { TmpDir = SandboxPaths.ScratchDirFor(paths.JobRoot, paths.JobName) }));

    [Theory]
    [InlineData(SandboxMode.Auto, "density_map_sandbox_auto.sh")]
    [InlineData(SandboxMode.On, "density_map_sandbox_on.sh")]
    public void With_a_sandbox_the_batch_script_matches_its_golden_file(SandboxMode mode, string golden)
    {
        var spec = RunnerRequestTests.Spec() with { Service = RunnerRequestTests.Spec().Service with { Nodes = 4, Cores = 64, TimeoutMinutes = 30 } };
        var paths = JobPaths.For("/data/terminus/jobs", spec);

        var script = SlurmScript.Build(spec, "anais", "/opt/conda/bin/python3", paths, Sandbox(mode, paths));

        Assert.Equal(Golden(golden), script);
    }

    [Fact]
    public void Off_or_no_sandbox_writes_the_script_as_before()
    {
        var spec = RunnerRequestTests.Spec() with { Service = RunnerRequestTests.Spec().Service with { Nodes = 4, Cores = 64, TimeoutMinutes = 30 } };
        var paths = JobPaths.For("/data/terminus/jobs", spec);

        Assert.Equal(Golden("density_map.sh"), SlurmScript.Build(spec, "anais", "/opt/conda/bin/python3", paths, Sandbox(SandboxMode.Off, paths)));
    }

    [Fact]
    public void Sandbox_paths_are_quoted_like_the_others()
    {
        var spec = RunnerRequestTests.Spec();
        var paths = JobPaths.For("/data/it's jobs", spec);

        var script = SlurmScript.Build(spec, "anais", "/usr/bin/python3", paths, Sandbox(SandboxMode.Auto, paths));

        Assert.Contains("  [ -d '/data/it'\\''s jobs' ] && set -- \"$@\" --tmpfs '/data/it'\\''s jobs'\n", script);
        Assert.Contains("  set -- \"$@\" --bind '/data/it'\\''s jobs/123_density_map' '/data/it'\\''s jobs/123_density_map'\n", script);
        Assert.Contains(">>'/data/it'\\''s jobs/123_density_map/out/job.log'", script);
    }

    [Fact]
    public void Paths_are_quoted_and_message_data_never_enters_the_script()
    {
        var hostile = "x'; rm -rf ~; echo '$(id)`id`";
        var spec = RunnerRequestTests.Spec(dataRef: hostile, parameters: $$"""{"p": "{{hostile.Replace("'", "\\u0027")}}"}""");
        var script = SlurmScript.Build(spec, "anais", "/opt/my python/bin/python3", JobPaths.For("/data/it's jobs", spec));
        Assert.DoesNotContain("rm -rf", script);
        Assert.Contains("exec '/opt/my python/bin/python3' '/data/it'\\''s jobs/123_density_map/terminus_runner.py' '/data/it'\\''s jobs/123_density_map/terminus_request.json'\n", script);
    }

    [Theory]
    [InlineData(30, "00-00:30")]
    [InlineData(90, "00-01:30")]
    [InlineData(1440, "01-00:00")]
    [InlineData(1501, "01-01:01")]
    [InlineData(14400, "10-00:00")]
    public void Time_limits_are_written_in_0_7_s_DD_HH_MM_form(int minutes, string expected) =>
        Assert.Equal(expected, SlurmScript.FormatTime(minutes));

    [Fact]
    public void The_job_name_tags_this_daemon_s_jobs()
    {
        Assert.Equal("terminus-anais-123", SlurmScript.JobName("anais", new JobId(123)));
    }

    [Fact]
    public void Quote_protects_everything()
    {
        Assert.Equal("'a b'", SlurmScript.Quote("a b"));
        Assert.Equal("''\\''$(x)'", SlurmScript.Quote("'$(x)"));
    }

    private static ServiceDefinition Service => RunnerRequestTests.Spec().Service;
}
