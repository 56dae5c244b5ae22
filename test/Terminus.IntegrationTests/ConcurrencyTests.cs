using System.Diagnostics;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>The concurrency bound and the probe path under load, with services held running by the test.</summary>
[Collection(PortalCollection.Name)]
public sealed class ConcurrencyTests(PortalWorker portal, ITestOutputHelper output)
{
    private static long _nextJobId = 3_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;

    [Fact]
    public async Task Probes_are_answered_fast_while_the_maximum_number_of_jobs_is_in_flight_and_no_more_start()
    {
        using var site = new TestSite(nodes: 1, concurrency: 3);
        await Harness.DeclareAsync(site.HostName);
        var runner = new HeldRunner();
        var daemon = await InProcessDaemon.StartAsync(site.Settings(), runner);
        try
        {
            var ids = Enumerable.Range(0, 5).Select(_ => Interlocked.Increment(ref _nextJobId)).ToArray();
            foreach (var id in ids) await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(id));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (runner.Running < 3 && DateTime.UtcNow < deadline) await Task.Delay(50);
            // The running jobs' requests are acked (durably accepted); the two waiting ones go back to the queue once
            // the consumer finds no free slot for them, so none waits unacked long enough for consumer_timeout.
            (int Ready, int Unacked, int Consumers) queue;
            deadline = DateTime.UtcNow.AddSeconds(20);
            while ((queue = await Harness.QueueStateAsync($"{site.HostName}.terminus_jobs")) is not (2, 0, _) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            output.WriteLine($"with 3 jobs running: queue ready={queue.Ready} unacked={queue.Unacked}");
            Assert.Equal((2, 0), (queue.Ready, queue.Unacked));
            await Task.Delay(500);
            Assert.Equal(3, runner.Running);

            var latencies = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var sent = await Harness.SendProbeAsync(site.HostName);
                latencies.Add((await portal.WaitForOnlineAsync(site.HostName, sent, TimeSpan.FromSeconds(10))).ReceivedAt - sent.SentAt);
            }
            output.WriteLine($"probe answers with the job slots full, seconds: {string.Join(", ", latencies.Select(l => l.ToString("0.000")))}");
            Assert.True(latencies.Min() < 1.0);

            runner.ReleaseAll();
            foreach (var id in ids)
            {
                var statuses = await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Failed), TimeSpan.FromSeconds(30));
                Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status));
            }
            Assert.All(ids, id => Assert.Equal(1, runner.Runs[new JobId(id)]));
        }
        finally
        {
            runner.ReleaseAll();
            await daemon.DisposeAsync();
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
        }
    }

    [Fact]
    public async Task The_same_job_sent_twice_runs_once_and_gets_one_terminal_status()
    {
        using var site = new TestSite(nodes: 1, concurrency: 2);
        await Harness.DeclareAsync(site.HostName);
        var runner = new HeldRunner();
        var daemon = await InProcessDaemon.StartAsync(site.Settings(), runner);
        try
        {
            var id = Interlocked.Increment(ref _nextJobId);
            await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(id));
            await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(id));
            await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
            var sw = Stopwatch.StartNew();
            while ((await Harness.QueueStateAsync($"{site.HostName}.terminus_jobs")) is not (0, 0, _) && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
            Assert.Equal(1, runner.Runs[new JobId(id)]);

            runner.ReleaseAll();
            await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Failed), TimeSpan.FromSeconds(30));
            await Task.Delay(1000);
            var statuses = portal.StatusesOf(id);
            output.WriteLine(string.Join(", ", statuses.Select(s => $"{s.Status}#{s.Sequence}")));
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], PortalWorker.WithoutCopies(statuses).Select(s => s.Status));
            Assert.Single(statuses, s => s.Status == JobStatuses.Failed);
            Assert.Equal(1, runner.Runs[new JobId(id)]);
            var queue = await Harness.QueueStateAsync($"{site.HostName}.terminus_jobs");
            Assert.Equal((0, 0), (queue.Ready, queue.Unacked));
        }
        finally
        {
            runner.ReleaseAll();
            await daemon.DisposeAsync();
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
        }
    }
}
