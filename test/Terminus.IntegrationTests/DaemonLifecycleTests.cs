using System.Diagnostics;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>Start-up, stop and broker failures, with the daemon process on the real broker.</summary>
[Collection(PortalCollection.Name)]
public sealed class DaemonLifecycleTests(PortalWorker portal, ITestOutputHelper output)
{
    private static long _nextJobId = 2_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;
    private static long NextJobId() => Interlocked.Increment(ref _nextJobId);

    [Theory]
    [InlineData("TERMINUS_DATA_DIR", null, "TERMINUS_DATA_DIR is not set")]
    [InlineData("TERMINUS_JOB_DIR", "/nonexistent/jobs", "TERMINUS_JOB_DIR '/nonexistent/jobs' does not exist")]
    [InlineData("RABBITMQ_PORT", "amqp", "RABBITMQ_PORT 'amqp' is not a port number")]
    [InlineData("TERMINUS_HOSTNAME", null, "TERMINUS_HOSTNAME is not set")]
    public async Task A_configuration_error_stops_the_daemon_before_it_consumes_anything(string key, string? value, string message)
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(NextJobId(), service: "nope"));
        var env = site.Environment();
        if (value is null) env.Remove(key); else env[key] = value;

        await using var daemon = DaemonProcess.Start(env, Path.Combine(site.Root, "daemon.out"));
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        output.WriteLine(daemon.Output);
        Assert.Equal(78, exit);
        Assert.Contains(message, daemon.Output);
        Assert.Equal((1, 0), (await Harness.QueueStateAsync($"{site.HostName}.terminus_jobs")) is var q ? (q.Ready, q.Unacked) : default);
        await Harness.RunAsync("delete-queues", "--host", site.HostName);
    }

    [Fact]
    public async Task An_unreadable_password_file_stops_the_daemon_with_its_path()
    {
        using var site = new TestSite();
        var secret = Path.Combine(site.DotDir, "_secret", "rabbitmq_server_pwd");
        File.Delete(secret);
        await using var daemon = DaemonProcess.Start(site.Environment(), Path.Combine(site.Root, "daemon.out"));
        Assert.Equal(78, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(secret, daemon.Output);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_ledger_is_refused_with_75_in_one_line_and_the_first_runs_on()
    {
        await using var daemons = new SiteDaemons(new TestSite(), output);
        await Harness.DeclareAsync(daemons.Site.HostName);
        var first = await daemons.StartAsync();

        var second = daemons.Launch();
        Assert.Equal(75, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(second.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"terminus-daemon: not started: another daemon uses the ledger {daemons.Site.Settings().LedgerPath} "
            + $"(pid {first.Pid} on {Environment.MachineName}); stop that one first", line);

        var id = NextJobId();
        await Harness.SendJobAsync(daemons.Site.HostName, TestSite.JobArgs(id, service: "slow_echo"), """{"seconds": 0, "test": true}""");
        var statuses = await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Success), TimeSpan.FromSeconds(60));
        Assert.False(first.HasExited);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success], PortalWorker.WithoutCopies(statuses).Select(s => s.Status));
    }

    [Fact]
    public async Task Missing_queues_are_reported_and_retried_until_the_portal_declares_them()
    {
        using var site = new TestSite();
        await using var daemon = DaemonProcess.Start(site.Environment(), Path.Combine(site.Root, "daemon.out"));
        await daemon.WaitForOutputAsync($"queue '{site.HostName}.terminus_jobs' does not exist on the broker", TimeSpan.FromSeconds(30));
        Assert.False(daemon.HasExited);

        await Harness.DeclareAsync(site.HostName);
        await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);
        var sent = await Harness.SendProbeAsync(site.HostName);
        await portal.WaitForOnlineAsync(site.HostName, sent, TimeSpan.FromSeconds(10));

        daemon.Terminate();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Harness.RunAsync("delete-queues", "--host", site.HostName);
    }

    [Fact]
    public async Task After_a_broker_restart_the_daemon_consumes_and_answers_probes_again_without_being_restarted()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        await using var daemon = DaemonProcess.Start(site.Environment(), Path.Combine(site.Root, "daemon.out"));
        await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);

        var restart = Stopwatch.StartNew();
        await Harness.RabbitCtlAsync("stop_app");
        await Task.Delay(2000);
        await Harness.RabbitCtlAsync("start_app");
        output.WriteLine($"broker stopped and started in {restart.Elapsed.TotalSeconds:0.0} s");

        // The portal keeps publishing; the daemon must come back by itself.
        var jobId = NextJobId();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try { await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(jobId, service: "nope")); break; }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline) { await Task.Delay(500); }
        }
        var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Count > 0, TimeSpan.FromSeconds(60));
        output.WriteLine($"first status after the restart arrived {restart.Elapsed.TotalSeconds:0.0} s after stop_app");
        Assert.Equal("Post-processing service 'nope' is not available.", statuses[0].Message);

        var sent = await Harness.SendProbeAsync(site.HostName);
        await portal.WaitForOnlineAsync(site.HostName, sent, TimeSpan.FromSeconds(30));

        await Task.Delay(500);
        Assert.Single(portal.StatusesOf(jobId));
        var consumers = await Harness.QueueStateAsync($"{site.HostName}.terminus_jobs");
        Assert.Equal(1, consumers.Consumers); // no ghost consumer left behind
        await daemon.WaitForOutputAsync("reconnecting with backoff", TimeSpan.FromSeconds(30));

        daemon.Terminate();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Harness.RunAsync("delete-queues", "--host", site.HostName);
    }

    [Fact]
    public async Task A_dropped_connection_is_reestablished()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        await using var daemon = DaemonProcess.Start(site.Environment(), Path.Combine(site.Root, "daemon.out"));
        await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);

        await Harness.RabbitCtlAsync("close_all_connections", "integration test: dropped connection");
        var jobId = NextJobId();
        await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(jobId, service: "nope"));
        var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Count > 0, TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatuses.Failed, Assert.Single(statuses).Status);

        daemon.Terminate();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Harness.RunAsync("delete-queues", "--host", site.HostName);
    }

    [Fact]
    public async Task Sigterm_stops_consuming_and_exits_cleanly()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        await using var daemon = DaemonProcess.Start(site.Environment(), Path.Combine(site.Root, "daemon.out"));
        await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);

        var stop = Stopwatch.StartNew();
        daemon.Terminate();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine($"SIGTERM to exit: {stop.Elapsed.TotalSeconds:0.00} s");
        Assert.Contains("Stopping: no new jobs or probes are taken", daemon.Output);
        Assert.Equal(0, (await Harness.QueueStateAsync($"{site.HostName}.terminus_jobs")).Consumers);
        Assert.True(Directory.EnumerateFiles(site.LogDir, "terminus-*.log").Any(), "the daemon logs to $TERMINUS_DOT_DIR/logs");
        await Harness.RunAsync("delete-queues", "--host", site.HostName);
    }
}
