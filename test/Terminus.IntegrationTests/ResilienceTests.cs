using System.Diagnostics;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// Never lose a job, never run one twice, never drop a status, on the real broker, sshd and daemon process: the
/// daemon is killed (SIGKILL) while a service runs, while it packages and while it uploads, then started again;
/// the broker restarts mid-job; the storage goes away during an upload and comes back; a job outlives the broker's
/// consumer_timeout. Each ends with exactly one terminal status (copies keep their x-terminus-seq), the service ran
/// once (slow_echo leaves a line per run) and, where the job succeeded, the tarball is in the storage.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ResilienceTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private static long _nextJobId = 5_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;
    private readonly SiteDaemons _daemons = new(new TestSite(nodes: 1, concurrency: 2), output);
    private TestSite Site => _daemons.Site;

    public async Task InitializeAsync() => await Harness.DeclareAsync(Site.HostName);

    public async Task DisposeAsync() => await _daemons.DisposeAsync();

    private Task<DaemonProcess> StartDaemonAsync(Dictionary<string, string>? overrides = null) => _daemons.StartAsync(overrides);

    private static void Kill9(DaemonProcess daemon) => ProcessRunner.Signal(daemon.Pid, ProcessRunner.SigKill);

    private async Task<long> SubmitAsync(string kwargs)
    {
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: "slow_echo"), kwargs);
        return id;
    }

    private Task<IReadOnlyList<PortalTask>> TerminalAsync(long jobId, TimeSpan timeout) => portal.TerminalStatusesAsync(jobId, timeout, output);

    private void AssertUploadedOnce(long jobId, IReadOnlyList<PortalTask> statuses)
    {
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
        Assert.Single(Site.RunsOf(jobId));
        var tarball = Path.Combine(ItEnvironment.StorageDir, $"{jobId}_slow_echo.tar.gz");
        try
        {
            Assert.True(File.Exists(tarball), $"{tarball} is not in the storage");
            var listing = ProcessRunner.RunAsync("tar", ["-tzf", tarball], TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            Assert.Equal(0, listing.ExitCode);
            Assert.Contains("slow_echo/echo.json", listing.StdOut);
        }
        finally { File.Delete(tarball); }
    }

    private static async Task WaitForLogAsync(DaemonProcess daemon, string text, TimeSpan timeout) => await daemon.WaitForOutputAsync(text, timeout);

    [Fact]
    public async Task Kill_9_while_the_service_runs_in_its_sandbox_then_restart_re_attaches_to_it()
    {
        var daemon = await StartDaemonAsync(new Dictionary<string, string> { ["TERMINUS_SANDBOX"] = "on" });
        // The service runs until the test releases it: the restart may take a while on a busy machine.
        var release = Path.Combine(Site.Root, "release-service");
        var id = await SubmitAsync($$"""{"seconds": 120, "until_file": "{{release}}", "test": false}""");
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
        // The daemon logs through Akka's logger, asynchronously: its line may come after the portal heard "running".
        await daemon.WaitForOutputAsync($"Job #{id}: runner started", TimeSpan.FromSeconds(30));
        Assert.Contains("in its sandbox", daemon.Output);
        Kill9(daemon);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var again = await StartDaemonAsync(new Dictionary<string, string> { ["TERMINUS_SANDBOX"] = "on" });
        await WaitForLogAsync(again, $"Job #{id}: re-attached to its running service", TimeSpan.FromSeconds(60));
        File.WriteAllText(release, "");
        AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Kill_9_while_the_results_are_packaged_then_restart_packages_again()
    {
        var daemon = await StartDaemonAsync();
        var id = await SubmitAsync("""{"out_mb": 150, "test": false}""");
        await WaitForLogAsync(daemon, $"{id}_slow_echo: packaging out/", TimeSpan.FromSeconds(60));
        Kill9(daemon);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

        await StartDaemonAsync();
        AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public async Task Kill_9_while_the_tarball_uploads_then_restart_uploads_again()
    {
        var slow = new Dictionary<string, string> { ["TERMINUS_UPLOAD_BWLIMIT_KB"] = "1024" };
        var daemon = await StartDaemonAsync(slow);
        var id = await SubmitAsync("""{"out_mb": 8, "test": false}""");
        await WaitForLogAsync(daemon, $"{id}_slow_echo: uploading", TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        Kill9(daemon);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

        await StartDaemonAsync();
        AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public async Task A_broker_restart_mid_job_loses_no_status()
    {
        await StartDaemonAsync();
        var id = await SubmitAsync("""{"seconds": 8, "test": false}""");
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
        await Harness.RabbitCtlAsync("stop_app");
        await Task.Delay(3000);
        await Harness.RabbitCtlAsync("start_app");
        AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public async Task The_storage_going_away_during_an_upload_is_retried_until_it_is_back()
    {
        var daemon = await StartDaemonAsync(new() { ["TERMINUS_UPLOAD_BWLIMIT_KB"] = "1024" });
        var id = await SubmitAsync("""{"out_mb": 6, "test": false}""");
        await WaitForLogAsync(daemon, $"{id}_slow_echo: uploading", TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        var sw = Stopwatch.StartNew();
        await RunScript(ItEnvironment.SshDown);
        try
        {
            await WaitForLogAsync(daemon, "trying again in", TimeSpan.FromSeconds(60));
            await Task.Delay(4000);
        }
        finally { await RunScript(ItEnvironment.SshUp); }
        output.WriteLine($"storage away for {sw.Elapsed.TotalSeconds:0.0} s");
        AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public async Task Uploads_share_one_ssh_connection_started_again_after_an_sshd_restart_and_no_job_fails_for_it()
    {
        const string up = "ssh master connection to 'Galactica_storage' is up";
        var daemon = await StartDaemonAsync();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var id = await SubmitAsync("""{"seconds": 0, "test": false}""");
            AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(60)));
        }
        Assert.Equal(1, daemon.Output.Occurrences(up));

        await RunScript(ItEnvironment.SshDown); // ends every connection to it, the master's too
        await RunScript(ItEnvironment.SshUp);
        var after = await SubmitAsync("""{"seconds": 0, "test": false}""");
        AssertUploadedOnce(after, await TerminalAsync(after, TimeSpan.FromSeconds(90)));

        Assert.Equal(2, daemon.Output.Occurrences(up));
        Assert.True(daemon.Output.Contains("ssh master connection to 'Galactica_storage' ended", StringComparison.Ordinal)
            || daemon.Output.Contains("ssh master connection to 'Galactica_storage' does not answer", StringComparison.Ordinal),
            "the daemon noticed its connection was gone, when it next needed it");
        Assert.DoesNotContain("makes its own ssh handshake", daemon.Output);
    }

    [Fact]
    public async Task A_job_longer_than_the_broker_s_consumer_timeout_is_neither_redelivered_nor_run_twice()
    {
        var timeout = await EffectiveConsumerTimeoutMsAsync();
        Assert.True(timeout < 30_000, $"the test broker's consumer_timeout is {timeout} ms: run the tests with scripts/test.sh, which sets 15 s");
        var daemon = await StartDaemonAsync();
        var seconds = timeout / 1000 * 2 + 10;
        var id = await SubmitAsync($$"""{"seconds": {{seconds}}, "test": false}""");
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
        Assert.Equal((0, 0), (await Harness.QueueStateAsync($"{Site.HostName}.terminus_jobs")) is var q ? (q.Ready, q.Unacked) : default);
        AssertUploadedOnce(id, await TerminalAsync(id, TimeSpan.FromSeconds(seconds + 60)));
        Assert.DoesNotContain("consumer_timeout", daemon.Output);
        Assert.DoesNotContain("reconnecting with backoff", daemon.Output);
    }

    private static async Task<int> EffectiveConsumerTimeoutMsAsync()
    {
        var output = await Harness.RabbitCtlAsync("eval", "application:get_env(rabbit, consumer_timeout).");
        var digits = new string(output.Where(char.IsDigit).ToArray());
        return digits.Length > 0 ? int.Parse(digits) : 1_800_000;
    }

    private static async Task RunScript(string script)
    {
        var result = await ProcessRunner.RunAsync(script, [], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"{script}: {result.StdErr}{result.StdOut}");
    }
}
