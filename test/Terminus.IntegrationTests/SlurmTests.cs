using System.Diagnostics;
using System.Text.Json;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// Jobs through a real single-node SLURM with accounting (scripts/ci/slurm-up.sh), the daemon process with
/// TERMINUS_USE_SLURM=1, the portal played by the Debian Celery: each scenario reaches its terminal status within
/// the poll interval plus a few seconds, and none is ever reported a success without its exit record.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class SlurmTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private static long _nextJobId = 6_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;
    private readonly SiteDaemons _daemons = new(new TestSite(nodes: 1, concurrency: 2), output,
        new Dictionary<string, string> { ["TERMINUS_USE_SLURM"] = "1", ["TERMINUS_SLURM_POLL_MAX_S"] = "3" });
    private TestSite Site => _daemons.Site;

    public async Task InitializeAsync()
    {
        await Harness.DeclareAsync(Site.HostName);
        Site.AddService("too_big", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_cores": 999, "timout_mn": 5}}""");
        Site.AddService("vanisher", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_cores": 1, "timout_mn": 1}}""",
            "import os, signal\ndef run(data_path, data_ref, test=False, **kw):\n    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(os.getpid(), signal.SIGKILL)\n");
    }

    public async Task DisposeAsync() => await _daemons.DisposeAsync();

    private Task<DaemonProcess> StartDaemonAsync(Dictionary<string, string>? overrides = null) => _daemons.StartAsync(overrides);

    private async Task<long> SubmitAsync(string service, string kwargs)
    {
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: service), kwargs);
        return id;
    }

    private Task<IReadOnlyList<PortalTask>> TerminalAsync(long jobId, TimeSpan timeout) => portal.TerminalStatusesAsync(jobId, timeout, output);

    private string SlurmIdOf(long jobId, string service)
    {
        foreach (var dir in new[] { Path.Combine(Site.JobDir, $"{jobId}_{service}"), Path.Combine(Site.FailedDir, $"{jobId}_{service}") })
        {
            var record = Path.Combine(dir, "terminus_slurm.json");
            if (File.Exists(record)) return JsonDocument.Parse(File.ReadAllText(record)).RootElement.GetProperty("job_id").GetString()!;
        }
        throw new InvalidOperationException($"no SLURM record for job {jobId}");
    }

    private async Task<string> WaitForSlurmIdAsync(long jobId, string service)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { return SlurmIdOf(jobId, service); }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline) { await Task.Delay(100); }
        }
    }

    private static async Task<string> Slurm(string program, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(program, args, TimeSpan.FromSeconds(30));
        return result.StdOut + result.StdErr;
    }

    [Fact]
    public async Task A_slurm_job_goes_pending_running_success_uploaded_with_its_tarball_in_the_storage()
    {
        var daemon = await StartDaemonAsync();
        var id = await SubmitAsync("density_map", """{"npix": 32, "test": false}""");
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
        var slurmId = new string(daemon.Output.Split($"Job #{id}: submitted to SLURM as job ")[1].TakeWhile(char.IsDigit).ToArray());
        Assert.Contains("COMPLETED", await Slurm("sacct", "-X", "-n", "-P", "-o", "State", "-j", slurmId));
        var tarball = Path.Combine(ItEnvironment.StorageDir, $"{id}_density_map.tar.gz");
        Assert.True(File.Exists(tarball));
        File.Delete(tarball);
    }

    [Fact]
    public async Task A_failing_service_under_slurm_is_failed_with_its_message()
    {
        await StartDaemonAsync();
        var id = await SubmitAsync("slow_echo", """{"fail": "the snapshot has no gas particles", "test": false}""");
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal(JobStatuses.Failed, statuses[^1].Status);
        Assert.Equal("Job stopped with error message : 'the snapshot has no gas particles'.", statuses[^1].Message);
    }

    [Fact]
    public async Task A_job_over_its_time_limit_is_stopped_by_slurm_and_reported_timed_out()
    {
        await StartDaemonAsync();
        var sw = Stopwatch.StartNew();
        var id = await SubmitAsync("slow_echo", """{"seconds": 600, "test": false}"""); // slow_echo allows 1 minute
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(240));
        output.WriteLine($"timed out after {sw.Elapsed.TotalSeconds:0} s");
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.TimedOut], statuses.Select(s => s.Status));
        Assert.Equal(StatusTexts.TimedOut, statuses[^1].Message);
        Assert.Contains("TIMEOUT", await Slurm("sacct", "-X", "-n", "-P", "-o", "State", "-j", SlurmIdOf(id, "slow_echo")));
    }

    [Fact]
    public async Task A_portal_cancel_of_a_running_slurm_job_scancels_it_and_ends_the_job_cancelled()
    {
        await StartDaemonAsync();
        var id = await SubmitAsync("slow_echo", """{"seconds": 300, "test": false}""");
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        var slurmId = await WaitForSlurmIdAsync(id, "slow_echo");
        await Harness.SendCancelAsync(Site.HostName, id);
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.Equal("Job cancelled by the portal.", statuses[^1].Message);
        await Eventually.TrueAsync(async () => !(await Slurm("squeue", "-h", "-j", slurmId, "-o", "%i")).Contains(slurmId),
            $"SLURM job {slurmId} is gone from squeue", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_job_cancelled_with_scancel_from_outside_is_failed_as_cancelled()
    {
        await StartDaemonAsync();
        var id = await SubmitAsync("slow_echo", """{"seconds": 300, "test": false}""");
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        var slurmId = await WaitForSlurmIdAsync(id, "slow_echo");
        var sw = Stopwatch.StartNew();
        await Slurm("scancel", slurmId);
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(60));
        output.WriteLine($"reported {sw.Elapsed.TotalSeconds:0.0} s after scancel");
        Assert.Equal($"Job stopped with error message : 'the SLURM job {slurmId} was cancelled'.", statuses[^1].Message);
    }

    [Fact]
    public async Task A_submission_slurm_refuses_is_failed_at_once_with_sbatch_s_error()
    {
        await StartDaemonAsync();
        var sw = Stopwatch.StartNew();
        var id = await SubmitAsync("too_big", """{"test": false}""");
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal([JobStatuses.Pending, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.StartsWith("SLURM error : job submission failed (sbatch: error: Batch job submission failed:", statuses[^1].Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0, 15);
    }

    /// <summary>squeue, sacct and scontrol that forget a job as soon as it left the queue (a purged controller, no accounting).</summary>
    private string ForgetfulScheduler()
    {
        var dir = Directory.CreateDirectory(Path.Combine(Site.Root, "forgetful-slurm")).FullName;
        File.WriteAllText(Path.Combine(dir, "squeue"), """
            #!/bin/bash
            args=(); prev=
            for a in "$@"; do if [ "$prev" = -t ] && [ "$a" = all ]; then args+=("PENDING,RUNNING,CONFIGURING,COMPLETING"); else args+=("$a"); fi; prev=$a; done
            exec /usr/bin/squeue "${args[@]}"
            """);
        File.WriteAllText(Path.Combine(dir, "sacct"), "#!/bin/sh\nexit 0\n");
        File.WriteAllText(Path.Combine(dir, "scontrol"), "#!/bin/sh\necho 'slurm_load_jobs error: Invalid job id specified' >&2\nexit 1\n");
        foreach (var f in Directory.GetFiles(dir)) if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(f, (UnixFileMode)0b111_101_101);
        return dir;
    }

    [Fact]
    public async Task A_job_that_vanishes_from_the_scheduler_is_decided_by_its_exit_record()
    {
        await StartDaemonAsync(new() { ["PATH"] = ForgetfulScheduler() + ":" + Environment.GetEnvironmentVariable("PATH") });
        var id = await SubmitAsync("slow_echo", """{"seconds": 2, "test": false}""");
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_slow_echo.tar.gz"));
    }

    [Fact]
    public async Task A_job_that_vanishes_without_a_result_is_never_a_success_but_lost_after_its_limit()
    {
        await StartDaemonAsync(new()
        {
            ["PATH"] = ForgetfulScheduler() + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["TERMINUS_SLURM_LOST_GRACE_S"] = "5",
        });
        var sw = Stopwatch.StartNew();
        var id = await SubmitAsync("vanisher", """{"test": false}""");
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(180));
        output.WriteLine($"lost after {sw.Elapsed.TotalSeconds:0} s");
        Assert.DoesNotContain(statuses, s => s.Status == JobStatuses.Success);
        Assert.Equal(JobStatuses.Failed, statuses[^1].Status);
        Assert.Contains("was lost", statuses[^1].Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 60, 150); // its 1-minute limit plus 5 s of grace plus polling
    }

    [Fact]
    public async Task A_daemon_killed_while_its_slurm_job_runs_re_attaches_after_a_restart()
    {
        var daemon = await StartDaemonAsync();
        var id = await SubmitAsync("slow_echo", """{"seconds": 8, "test": false}""");
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        ProcessRunner.Signal(daemon.Pid, ProcessRunner.SigKill);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var again = await StartDaemonAsync();
        var statuses = await TerminalAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
        Assert.Single(Site.RunsOf(id));
        Assert.Contains($"Job #{id}: re-attached to SLURM job", again.Output);
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_slow_echo.tar.gz"));
    }
}
