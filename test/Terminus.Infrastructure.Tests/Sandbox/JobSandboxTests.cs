using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Sandbox;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Sandbox;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>
/// A job's launch through the real launch script and bwrap: the sandbox proves it was made before the command runs,
/// the command cannot write that proof, its /tmp is a directory of its own on disk, gone once released, and a sandbox
/// that cannot be made leaves the proof empty and runs nothing.
/// </summary>
public sealed class JobSandboxTests : IDisposable
{
    private readonly FakeLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private TerminusSettings Settings(bool slurm = false) =>
        LabSettings.For(_lab.DataDir, _lab.DotDir, _lab.JobRoot, _lab.ServiceDir) with
        {
            LedgerPath = Path.Combine(_lab.LedgerDir, "terminus-ledger.db"), UseSlurm = slurm,
        };

    private async Task<JobSandbox> DetectedAsync(string? path = null)
    {
        var settings = Settings();
        return new JobSandbox(settings, await SandboxDetection.RunAsync(settings, path));
    }

    /// <summary>Runs the launch script as the daemon does (no cgroup), with the output in the lab's root.</summary>
    private async Task<(string Out, string Err)> LaunchAsync(string? proof, IReadOnlyList<string> command)
    {
        var (stdout, stderr) = (Path.Combine(_lab.Root, "stdout.log"), Path.Combine(_lab.Root, "stderr.log"));
        await BoundedProcess.RunAsync(LocalLaunch.Shell, LocalLaunch.Arguments(stdout, stderr, proof, [], command), TimeSpan.FromSeconds(30));
        return (File.ReadAllText(stdout), File.ReadAllText(stderr));
    }

    [AsRootFact]
    public async Task The_sandbox_proves_itself_before_the_command_runs_and_the_command_cannot_write_the_proof()
    {
        var sandbox = await DetectedAsync();
        Assert.True(sandbox.IsOn, sandbox.Decision.Detail);
        var proof = sandbox.ProofFile(FakeLab.JobName);
        Directory.CreateDirectory(sandbox.ProofDir);
        File.WriteAllText(proof, LocalLaunch.ProofLine); // an earlier launch's
        var launch = sandbox.Prepare(FakeLab.JobName,
            ["/bin/sh", "-c", "echo forged >&3 && echo forged-the-proof; ls \"$1\" >/dev/null 2>&1 && echo sees-the-proof; echo scratch >/tmp/left; echo ran",
                "command", proof]);
        Assert.Equal(proof, launch.ProofFile);
        Assert.StartsWith(_lab.DotDir + "/", proof); // hidden from every job
        Assert.False(File.Exists(proof));

        var (stdout, stderr) = await LaunchAsync(proof, launch.Command);

        Assert.Equal("ran\n", stdout);
        Assert.Contains("Bad file descriptor", stderr);
        Assert.Equal(LocalLaunch.ProofLine + "\n", File.ReadAllText(proof));
        Assert.True(sandbox.WasMade(FakeLab.JobName));
        Assert.Equal("scratch\n", File.ReadAllText(Path.Combine(sandbox.TmpDir(FakeLab.JobName), "left"))); // its /tmp, on disk
        sandbox.Release(FakeLab.JobName);
        Assert.Null(sandbox.WasMade(FakeLab.JobName));
        Assert.False(Directory.Exists(sandbox.TmpDir(FakeLab.JobName)));
    }

    [AsRootFact]
    public async Task A_sandbox_that_cannot_be_made_leaves_its_proof_empty_and_runs_nothing_and_bwrap_says_why()
    {
        var sandbox = await DetectedAsync();
        const string missing = "124_not_prepared"; // bwrap cannot bind a job directory that does not exist
        var ran = Path.Combine(_lab.Root, "ran");

        var launch = sandbox.Prepare(missing, ["/usr/bin/touch", ran]);
        var (stdout, stderr) = await LaunchAsync(launch.ProofFile, launch.Command);

        Assert.Equal(false, sandbox.WasMade(missing));
        Assert.False(File.Exists(ran));
        Assert.Equal("", stdout);
        Assert.StartsWith("bwrap: ", stderr);
    }

    [Fact]
    public async Task Under_slurm_the_node_decides_and_only_the_directories_are_checked_here()
    {
        var d = await SandboxDetection.RunAsync(Settings(slurm: true), "/nonexistent");

        Assert.Equal((SandboxChoice.Sandbox, Bubblewrap.ProgramName), (d.Decision.Choice, d.Bwrap));
        Assert.StartsWith("jobs run through SLURM: each node runs them in bwrap where bwrap works there; hidden: ", d.Decision.Detail);
    }

    [Fact]
    public void Off_wraps_nothing_and_has_no_proof()
    {
        var sandbox = JobSandbox.Off(Settings());

        Assert.False(sandbox.IsOn);
        Assert.Throws<InvalidOperationException>(() => sandbox.Prepare(FakeLab.JobName, ["/bin/true"]));
        Assert.Null(sandbox.WasMade(FakeLab.JobName));
    }
}
