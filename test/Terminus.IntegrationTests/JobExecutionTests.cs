using System.Diagnostics;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// The daemon's main job, end to end: the portal (real Celery) sends a job, the daemon process runs the example
/// service, packages out/ and uploads it with rsync over SSH to the loopback storage, and reports every status.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class JobExecutionTests(PortalWorker portal, RunningDaemon daemon, ITestOutputHelper output) : IClassFixture<RunningDaemon>
{
    private static long _nextJobId = 4_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;
    private static long NextJobId() => Interlocked.Increment(ref _nextJobId);
    private TestSite Site => daemon.Site;

    private async Task<IReadOnlyList<PortalTask>> Submit(long jobId, string service, string kwargs, TimeSpan? wait = null)
    {
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(jobId, service: service), kwargs);
        var testMode = kwargs.Contains("\"test\": true");
        await portal.WaitForStatusesAsync(jobId, s => s.Any(t => JobLifecycle.IsTerminalStatus(t.Status!, testMode)), wait ?? TimeSpan.FromSeconds(60));
        await Task.Delay(300); // anything after the terminal status would show up here
        var statuses = portal.StatusesOf(jobId);
        output.WriteLine(string.Join("\n", statuses.Select(s => $"{s.Status}: {s.Message}")));
        return statuses;
    }

    private static void AssertStatuses(IReadOnlyList<PortalTask> statuses, params string[] expected) =>
        Assert.Equal(expected, statuses.Select(s => s.Status));

    [Fact]
    public async Task A_density_map_job_ends_uploaded_with_its_tarball_in_the_portal_storage()
    {
        var jobId = NextJobId();
        var sw = Stopwatch.StartNew();
        var statuses = await Submit(jobId, "density_map", """{"xcenter": 0.5, "ycenter": 0.5, "size": [20, "kpc"], "npix": 32, "test": false}""");
        output.WriteLine($"end to end: {sw.ElapsedMilliseconds} ms");

        AssertStatuses(statuses, JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded);
        var tarball = Path.Combine(ItEnvironment.StorageDir, $"{jobId}_density_map.tar.gz");
        try
        {
            var listing = await ProcessRunner.RunAsync("tar", ["-tzf", tarball], TimeSpan.FromSeconds(30));
            Assert.Equal(0, listing.ExitCode);
            var names = listing.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("density_map/density_map.pgm", names);
            Assert.Contains("density_map/processing_config.json", names);
            Assert.Contains("density_map/job.log", names);
            Assert.All(names, n => Assert.StartsWith("density_map/", n));
            await Eventually.TrueAsync(() => !Directory.Exists(Path.Combine(Site.JobDir, $"{jobId}_density_map")), "the job directory is deleted after the upload");
        }
        finally { File.Delete(tarball); }
    }

    [Fact]
    public async Task A_test_mode_job_ends_at_success_uploads_nothing_and_deletes_its_directory()
    {
        var jobId = NextJobId();
        var statuses = await Submit(jobId, "slow_echo", """{"seconds": 0.1, "test": true}""");
        AssertStatuses(statuses, JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success);
        Assert.Single(Site.RunsOf(jobId));
        Assert.False(File.Exists(Path.Combine(ItEnvironment.StorageDir, $"{jobId}_slow_echo.tar.gz")));
        await Eventually.TrueAsync(() => !Directory.Exists(Path.Combine(Site.JobDir, $"{jobId}_slow_echo")), "the job directory is deleted after a test run");
    }

    [Fact]
    public async Task A_failing_service_is_reported_with_its_error_and_its_directory_kept_in_failed()
    {
        var jobId = NextJobId();
        var statuses = await Submit(jobId, "slow_echo", """{"fail": "the snapshot has no gas particles", "test": false}""");
        AssertStatuses(statuses, JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed);
        Assert.Equal("Job stopped with error message : 'the snapshot has no gas particles'.", statuses[^1].Message);
        await Eventually.TrueAsync(() => Directory.Exists(Path.Combine(Site.FailedDir, $"{jobId}_slow_echo", "out")), "the failed job's directory is moved to __failed");
    }

    [Fact]
    public async Task A_service_printing_a_mebibyte_completes()
    {
        var jobId = NextJobId();
        var statuses = await Submit(jobId, "slow_echo", """{"print_kb": 1024, "stderr_kb": 256, "test": true}""");
        AssertStatuses(statuses, JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success);
    }

    [Fact]
    public async Task A_bash_service_runs_and_its_results_are_uploaded()
    {
        var jobId = NextJobId();
        var statuses = await Submit(jobId, "bash_hello", """{"greeting": "$(id)", "test": false}""");
        AssertStatuses(statuses, JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded);
        var tarball = Path.Combine(ItEnvironment.StorageDir, $"{jobId}_bash_hello.tar.gz");
        try
        {
            var content = await ProcessRunner.RunAsync("tar", ["-xzOf", tarball, "bash_hello/hello.txt"], TimeSpan.FromSeconds(30));
            Assert.Contains("greeting = \"$(id)\"", content.StdOut);
        }
        finally { File.Delete(tarball); }
    }

    [Fact]
    public async Task A_hostile_data_reference_never_reaches_the_service()
    {
        var jobId = NextJobId();
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(jobId, service: "slow_echo", dataRef: "\"../../../etc\""), """{"test": true}""");
        var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Count > 0, TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        Assert.Equal(JobStatuses.Failed, Assert.Single(portal.StatusesOf(jobId)).Status);
        Assert.Empty(Site.RunsOf(jobId));
        Assert.False(Directory.Exists(Path.Combine(Site.JobDir, $"{jobId}_slow_echo")));
    }

    [Fact]
    public async Task A_service_that_loops_forever_is_killed_at_its_time_limit_and_reported_timed_out()
    {
        var jobId = NextJobId();
        var sw = Stopwatch.StartNew();
        // slow_echo allows 1 minute (service.json); it is asked to sleep for 10.
        var statuses = await Submit(jobId, "slow_echo", """{"seconds": 600, "test": false}""", wait: TimeSpan.FromSeconds(120));
        output.WriteLine($"timed out after {sw.Elapsed.TotalSeconds:0.0} s");
        AssertStatuses(statuses, JobStatuses.Pending, JobStatuses.Running, JobStatuses.TimedOut);
        Assert.Equal(StatusTexts.TimedOut, statuses[^1].Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 59, 90);
        await Eventually.TrueAsync(() => Directory.Exists(Path.Combine(Site.FailedDir, $"{jobId}_slow_echo")), "the timed-out job's directory is moved to __failed");
    }
}

/// <summary>An upload that cannot reach the storage: 0.7's text, the job kept in __failed, rsync's reason in the log.</summary>
[Collection(PortalCollection.Name)]
public sealed class UploadFailureTests(PortalWorker portal, ITestOutputHelper output)
{
    [Fact]
    public async Task A_storage_that_refuses_the_connection_fails_the_job_with_0_7_s_transfer_text()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        var env = site.Environment();
        env["GALACSTORAGE_SSH_ALIAS"] = ItEnvironment.StorageAlias + "_refused";
        env["TERMINUS_UPLOAD_RETRY_S"] = "0"; // retries are tested on their own: here the job must fail at once
        await using var daemon = DaemonProcess.Start(env, Path.Combine(site.Root, "daemon.out"));
        try
        {
            await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);
            var jobId = 4_100_000_000L + Random.Shared.Next(0, 1_000_000);
            await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(jobId, service: "slow_echo"), """{"test": false}""");
            var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Any(t => t.Status == JobStatuses.Failed), TimeSpan.FromSeconds(90));
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Failed], statuses.Select(s => s.Status));
            Assert.Equal(StatusTexts.UploadError, statuses[^1].Message);
            var kept = Path.Combine(site.FailedDir, $"{jobId}_slow_echo");
            await Eventually.TrueAsync(() => Directory.Exists(kept), "the failed job's directory is moved to __failed");
            Assert.True(File.Exists(Path.Combine(kept, $"{jobId}_slow_echo.tar.gz")), "the tarball stays with the failed job");
            Assert.Contains("Connection refused", File.ReadAllText(Path.Combine(kept, "rsync.log")));
            await daemon.WaitForOutputAsync("ssh failed", TimeSpan.FromSeconds(30)); // the log line reaches us through a pipe, after the status
            output.WriteLine(daemon.Output);
        }
        finally
        {
            daemon.Terminate();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
        }
    }
}
