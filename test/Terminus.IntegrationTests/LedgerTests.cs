using Microsoft.Data.Sqlite;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Infrastructure.Ledger;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>The ledger on the real daemon: it stays bounded (a flood of requests leaves one supervisor snapshot, and each
/// retired job at most its last entry), and a full ledger file system stops the daemon loudly and only until space is
/// freed.</summary>
[Collection(PortalCollection.Name)]
public sealed class LedgerTests(PortalWorker portal, ITestOutputHelper output)
{
    private static long _nextJobId = 3_000_000_000L + Random.Shared.Next(0, 1_000_000) * 1000L;

    private static long Count(string ledger, string sql)
    {
        using var connection = new SqliteConnection(LedgerFile.ReadOnlyConnectionString(ledger));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_flood_of_refused_requests_leaves_one_supervisor_snapshot_and_each_retired_job_only_its_short_history()
    {
        const int count = 450; // the supervisor snapshots every 200 of its entries: about 4 snapshots
        await using var daemons = new SiteDaemons(new TestSite(), output);
        await Harness.DeclareAsync(daemons.Site.HostName);
        await daemons.StartAsync();
        var first = Interlocked.Add(ref _nextJobId, count) - count + 1;

        await Harness.SendJobsAsync(daemons.Site.HostName, TestSite.JobArgs(first, service: "no_such_service"), count);
        int FailedOut() => portal.Tasks().Count(t => t.JobId >= first && t.JobId < first + count && t.Status == JobStatuses.Failed);
        try
        {
            await Eventually.TrueAsync(() => FailedOut() == count, $"all {count} requests are failed out", TimeSpan.FromSeconds(120));
        }
        catch (Exception e)
        {
            var queues = await Harness.RabbitCtlAsync("list_queues", "-p", "terminus", "name", "messages_ready", "messages_unacknowledged", "consumers");
            throw new InvalidOperationException($"{FailedOut()} of {count} failed out; portal tasks {portal.Tasks().Count}; queues:\n{queues}\nworker:\n{portal.LogTail()}", e);
        }

        var ledger = daemons.Site.Settings().LedgerPath;
        var supervisor = $"persistence_id = '{PersistenceIds.Supervisor}'";
        await Eventually.TrueAsync(() => Count(ledger, $"SELECT count(*) FROM snapshot WHERE {supervisor}") == 1,
            "the older snapshots are deleted once a newer one is saved", TimeSpan.FromSeconds(30));
        Assert.True(Count(ledger, $"SELECT count(*) FROM journal WHERE {supervisor} AND deleted = 0") < 200, "entries before the snapshot are trimmed");
        // A retired job's journal stays as its history (terminus show), every entry marked deleted so nothing replays it.
        var perJob = Count(ledger, $"SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM journal WHERE persistence_id LIKE 'job-%' AND NOT {supervisor} GROUP BY persistence_id)");
        var replayable = Count(ledger, $"SELECT count(*) FROM journal WHERE persistence_id LIKE 'job-%' AND NOT {supervisor} AND deleted = 0");
        output.WriteLine($"ledger: {new FileInfo(ledger).Length} bytes (+ WAL), at most {perJob} entries per retired job, {replayable} not marked deleted");
        Assert.True(perJob <= 2, $"a refused request keeps {perJob} entries (its acceptance and its failure)");
        Assert.Equal(0, replayable);
    }

    [Fact]
    public async Task A_full_ledger_file_system_pauses_intake_and_probe_replies_until_space_is_freed_and_nothing_is_lost()
    {
        var fs = Directory.CreateDirectory(Path.Combine(ItEnvironment.SitesRoot, $"ledger-fs-{Guid.NewGuid():N}")).FullName;
        await Mount("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", fs);
        try
        {
            var filler = Path.Combine(fs, "filler");
            await using var daemons = new SiteDaemons(new TestSite(), output);
            var host = daemons.Site.HostName;
            await Harness.DeclareAsync(host);
            var daemon = await daemons.StartAsync(new Dictionary<string, string> { ["TERMINUS_LEDGER"] = Path.Combine(fs, "terminus-ledger.db") });
            var running = Interlocked.Increment(ref _nextJobId);
            var release = Path.Combine(daemons.Site.Root, "release-service");
            await Harness.SendJobAsync(host, TestSite.JobArgs(running, service: "slow_echo"), $$"""{"seconds": 120, "until_file": "{{release}}", "test": false}""");
            await portal.WaitForStatusesAsync(running, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));

            FillUp(filler);
            File.WriteAllText(release, ""); // the service ends: writing its success fails
            await daemon.WaitForOutputAsync("the job ledger cannot be written", TimeSpan.FromSeconds(60));
            var probe = await Harness.SendProbeAsync(host);
            var deadLettered = "";
            for (var deadline = DateTime.UtcNow.AddSeconds(15); !deadLettered.Contains(probe.TaskId) && DateTime.UtcNow < deadline; )
                deadLettered += await Harness.RunAsync("get", "--queue", "galactica.host_down", "--max", "50", "--wait", "2");
            Assert.True(deadLettered.Contains(probe.TaskId), "a probe sent while the ledger cannot be written dead-letters to host_down at once (an unanswered one would take 30 s)");
            var waiting = Interlocked.Increment(ref _nextJobId);
            await Harness.SendJobAsync(host, TestSite.JobArgs(waiting, service: "slow_echo"), """{"seconds": 0, "test": false}""");

            File.Delete(filler);
            await daemon.WaitForOutputAsync("The job ledger can be written again", TimeSpan.FromSeconds(60));
            await portal.WaitForOnlineAsync(host, await Harness.SendProbeAsync(host), TimeSpan.FromSeconds(30));
            foreach (var id in new[] { running, waiting })
            {
                var statuses = await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Uploaded), TimeSpan.FromSeconds(90));
                Assert.Single(statuses, t => t.Status == JobStatuses.Uploaded);
                Assert.DoesNotContain(statuses, t => t.Status == JobStatuses.Failed);
                File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_slow_echo.tar.gz"));
            }
            Assert.Single(daemons.Site.RunsOf(running)); // re-attached to its service, not run again
            Assert.False(daemon.HasExited);
        }
        finally
        {
            await Mount("umount", "-l", fs);
            Directory.Delete(fs, recursive: true);
        }
    }

    private static async Task Mount(string command, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(command, args, TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed (the test runs as root): {result.StdErr}");
    }

    /// <summary>Writes until the file system has no byte left.</summary>
    private static void FillUp(string path)
    {
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            for (var size = chunk.Length; ; )
            {
                try { file.Write(chunk, 0, size); }
                catch (IOException) when (size > 1) { size /= 2; } // the last blocks, a smaller piece at a time
            }
        }
        catch (IOException) { /* full to the last byte */ }
    }
}
