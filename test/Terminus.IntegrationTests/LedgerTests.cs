using Microsoft.Data.Sqlite;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Infrastructure.Ledger;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>The ledger on the real daemon stays bounded: a flood of requests leaves one supervisor snapshot, and each
/// retired job at most its last entry.</summary>
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
    public async Task A_flood_of_refused_requests_leaves_one_supervisor_snapshot_and_each_retired_job_at_most_one_entry()
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
            throw new InvalidOperationException($"{FailedOut()} of {count} failed out; portal tasks {portal.Tasks().Count}; worker:\n{portal.LogTail()}", e);
        }

        var ledger = daemons.Site.Settings().LedgerPath;
        var supervisor = $"persistence_id = '{PersistenceIds.Supervisor}'";
        await Eventually.TrueAsync(() => Count(ledger, $"SELECT count(*) FROM snapshot WHERE {supervisor}") == 1,
            "the older snapshots are deleted once a newer one is saved", TimeSpan.FromSeconds(30));
        Assert.True(Count(ledger, $"SELECT count(*) FROM journal WHERE {supervisor} AND deleted = 0") < 200, "entries before the snapshot are trimmed");
        var perJob = Count(ledger, $"SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM journal WHERE persistence_id LIKE 'job-%' AND NOT {supervisor} GROUP BY persistence_id)");
        output.WriteLine($"ledger: {new FileInfo(ledger).Length} bytes (+ WAL), at most {perJob} entries per retired job");
        Assert.True(perJob <= 1, $"a retired job keeps {perJob} entries");
    }
}
