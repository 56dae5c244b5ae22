using System.Text.Json;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Sandbox;
using Terminus.Core.Services;
using Terminus.Core.Slurm;
using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>
/// The SLURM batch script run by sh as a node would run it (no SLURM needed), with a stand-in runner that says
/// whether it could see the daemon's secret: on a node with bwrap, one without, and one where bwrap fails.
/// </summary>
public sealed class SlurmSandboxScriptRunTests : IDisposable
{
    private readonly FakeLab _lab = new();
    private readonly string _bin;
    private readonly JobSpec _spec;
    private readonly JobPaths _paths;

    public SlurmSandboxScriptRunTests()
    {
        _bin = Directory.CreateDirectory(Path.Combine(_lab.Root, "node-bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(_bin, "date"), "/usr/bin/date");
        _spec = new JobSpec(new JobId(123), "task-1", "task-1", "density_map", "CAT", "PROJ", "SIM", "output_00001", false, new Dictionary<string, JsonElement>(),
            new ServiceDefinition("density_map", _lab.ServiceDir, ServiceType.Bash, "/bin/sh", Path.Combine(_lab.ServiceDir, "run.sh"), 1, 1, 30), _lab.DataDir);
        _paths = JobPaths.For(_lab.JobRoot, _spec);
        Assert.Equal(_lab.JobDir, _paths.JobDir);
        Directory.CreateDirectory(_paths.OutDir);
        // The stand-in runner: relative paths, as the real one (its cwd is the job directory).
        File.WriteAllText(_paths.RunnerScript, $"[ -e '{_lab.SecretFile}' ] && echo unsandboxed >out/ran || echo sandboxed >out/ran\n");
        WriteScript(SandboxMode.Auto);
    }

    private void WriteScript(SandboxMode mode) =>
        File.WriteAllText(_paths.BatchScript, SlurmScript.Build(_spec, "anais", "/bin/sh", _paths, new SlurmSandbox(mode, SandboxPlan.Create(_lab.Paths()))));

    public void Dispose() => _lab.Dispose();

    private string Ran => File.Exists(Path.Combine(_paths.OutDir, "ran")) ? File.ReadAllText(Path.Combine(_paths.OutDir, "ran")).Trim() : "not run";

    private string JobLog => File.Exists(Path.Combine(_paths.OutDir, "job.log")) ? File.ReadAllText(Path.Combine(_paths.OutDir, "job.log")) : "";

    private Task<CommandResult> RunOnNode(string path) =>
        BoundedProcess.RunAsync("/bin/sh", [_paths.BatchScript], TimeSpan.FromSeconds(60), _paths.JobDir, new Dictionary<string, string> { ["PATH"] = path });

    [Fact]
    public async Task Where_bwrap_works_the_runner_runs_inside_the_sandbox()
    {
        var r = await RunOnNode("/usr/bin:/bin");

        Assert.Equal((0, "sandboxed", ""), (r.ExitCode, Ran, JobLog));
    }

    [Fact]
    public async Task Without_bwrap_auto_runs_the_job_as_before_and_says_so_in_its_log()
    {
        var r = await RunOnNode(_bin);

        Assert.Equal((0, "unsandboxed"), (r.ExitCode, Ran));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,000 - WARNING - the job runs without the sandbox: bwrap is not installed on this node\n$", JobLog);
        Assert.Contains("terminus: the job runs without the sandbox", r.StdErr);
    }

    [Fact]
    public async Task A_bwrap_that_fails_on_the_node_is_no_sandbox_either()
    {
        File.WriteAllText(Path.Combine(_bin, "bwrap"), "#!/bin/sh\necho 'bwrap: Creating new namespace failed' >&2\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(_bin, "bwrap"), (UnixFileMode)0x1ED);

        var r = await RunOnNode(_bin);

        Assert.Equal((0, "unsandboxed"), (r.ExitCode, Ran));
        Assert.EndsWith("- WARNING - the job runs without the sandbox: bwrap does not work on this node\n", JobLog);
    }

    [Fact]
    public async Task Without_bwrap_on_fails_the_job_before_the_runner_starts()
    {
        WriteScript(SandboxMode.On);

        var r = await RunOnNode(_bin);

        Assert.Equal((SlurmSandboxScript.Unavailable, "not run"), (r.ExitCode, Ran));
        Assert.EndsWith("- WARNING - the job was not run: TERMINUS_SANDBOX=on and bwrap is not installed on this node\n", JobLog);
    }
}
