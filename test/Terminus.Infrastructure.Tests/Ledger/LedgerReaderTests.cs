using Microsoft.Data.Sqlite;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Infrastructure.Tests.Ledger;

/// <summary>
/// The reader on a ledger file laid out as Akka.Persistence.Sql writes it (the columns the reader uses), with records in
/// the ledger's own JSON: the daemon's full write path is covered by the integration tests.
/// </summary>
public sealed class LedgerReaderTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-ledger-").FullName;
    private string Path => System.IO.Path.Combine(_dir, "terminus-ledger.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string persistenceId, params ILedgerRecord[] records) => Write(persistenceId, false, records);

    /// <param name="deleted">As the daemon leaves a retired job's journal: marked deleted, kept as its history.</param>
    private void Write(string persistenceId, bool deleted, params ILedgerRecord[] records)
    {
        using var c = new SqliteConnection(LedgerFile.ConnectionString(Path));
        c.Open();
        using var create = c.CreateCommand();
        create.CommandText = "CREATE TABLE IF NOT EXISTS journal (ordering INTEGER PRIMARY KEY, created INTEGER NOT NULL, persistence_id TEXT, sequence_number INTEGER, deleted INTEGER, manifest TEXT, message BLOB)";
        create.ExecuteNonQuery();
        foreach (var record in records)
        {
            using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO journal (created, persistence_id, sequence_number, deleted, manifest, message) " +
                                 "VALUES ($c, $id, (SELECT count(*) + 1 FROM journal WHERE persistence_id = $id), $d, $m, $b)";
            insert.Parameters.AddWithValue("$c", At.UtcTicks);
            insert.Parameters.AddWithValue("$d", deleted ? 1 : 0);
            insert.Parameters.AddWithValue("$id", persistenceId);
            insert.Parameters.AddWithValue("$m", LedgerJson.ManifestOf(record));
            insert.Parameters.AddWithValue("$b", LedgerJson.ToBytes(record));
            insert.ExecuteNonQuery();
        }
    }

    [Fact]
    public void No_file_is_an_empty_ledger_and_a_file_that_is_no_database_is_a_clear_error()
    {
        Assert.Empty(LedgerReader.Read(Path));
        File.WriteAllText(Path, "this is not a database, it is a text file long enough to have a header of some sort");
        var e = Assert.Throws<LedgerUnreadableException>(() => LedgerReader.Read(Path));
        Assert.Contains(Path, e.Message);
    }

    [Fact]
    public void Live_jobs_show_their_phase_and_unconfirmed_statuses_and_finished_ones_their_end()
    {
        Write(PersistenceIds.Supervisor,
            new DaemonStarted("h", At),
            new JobAdmitted(1, "t1", At),
            new JobAdmitted(2, "t2", At),
            new JobRetired(2, "uploaded", "Job data tarball successfully uploaded.", 4, "t2", null, At),
            new JobAdmitted(2, "t3", At, Run: 2, SeqBase: 4));
        Write(PersistenceIds.Job(new JobId(1)),
            new JobAccepted(1, "t1", "t1", """{"name":"execute_terminus_job","id":"t1","protocol":2,"args":[1,"density_map","a","b","c","d"],"kwargs":{}}""", At, false),
            new JobMoved(JobPhase.Pending, "pending", "Job successfully submitted (pending execution)", null, null, At),
            new JobMoved(JobPhase.Running, "running", "Job is running.", null, null, At),
            new StatusDelivered(1));
        Write(PersistenceIds.Job(new JobId(2), 2),
            new JobAccepted(2, "t3", "t3", """{"name":"execute_terminus_job","id":"t3","protocol":2,"args":[2,"slow_echo","a","b","c","d"],"kwargs":{}}""", At, false, 2, 4),
            new JobMoved(JobPhase.Pending, "pending", "Job successfully submitted (pending execution)", null, null, At));

        var jobs = LedgerReader.Read(Path);
        Assert.Equal(2, jobs.Count); // job 2 shows once: its second run is live
        var first = jobs[0];
        Assert.Equal((1L, "density_map", "Running", true, "running", 1, 1), (first.JobId, first.Service, first.Phase, first.Live, first.LastStatus, first.UndeliveredStatuses, first.Run));
        var second = jobs[1];
        Assert.Equal((2L, "slow_echo", "Pending", true, "pending", 1, 2), (second.JobId, second.Service, second.Phase, second.Live, second.LastStatus, second.UndeliveredStatuses, second.Run));

        Write(PersistenceIds.Supervisor, new JobRetired(2, "failed", "boom", 5, "t3", null, At, Run: 2));
        var retired = LedgerReader.Read(Path).Single(j => j.JobId == 2);
        Assert.Equal(("Retired", false, "failed", 2), (retired.Phase, retired.Live, retired.LastStatus, retired.Run));
    }

    [Fact]
    public void A_retired_job_s_history_is_read_from_its_journal_kept_marked_deleted()
    {
        var t = At;
        Write(PersistenceIds.Supervisor, new DaemonStarted("h", t), new JobAdmitted(7, "t7", t),
            new JobRetired(7, "failed", "Job cancelled by the portal.", 3, "t7", null, t.AddSeconds(9)),
            new JobCancelRequested(7, "portal", null, t.AddSeconds(5)));
        Write(PersistenceIds.Job(new JobId(7)), deleted: true,
            new JobAccepted(7, "t7", "t7", """{"name":"execute_terminus_job","id":"t7","protocol":2,"args":[7,"slow_echo","a","b","c","d"],"kwargs":{}}""", t, false),
            new JobMoved(JobPhase.Pending, "pending", "Job successfully submitted (pending execution)", null, null, t.AddSeconds(1)),
            new RunnerLaunched(4242, 99, "job-7-abc", t.AddSeconds(1.5)),
            new JobMoved(JobPhase.Running, "running", "Job is running.", null, null, t.AddSeconds(2)),
            new StatusDelivered(2),
            new JobMoved(JobPhase.Failed, "failed", "Job cancelled by the portal.", "cancelled by the portal in phase Running", null, t.AddSeconds(6)));

        var history = LedgerReader.ReadHistory(Path, 7, "/jobs")!;
        Assert.False(history.Live);
        Assert.Equal(("failed", "portal"), (history.Retired!.Status, history.Cancel!.By));
        var run = Assert.Single(history.Runs);
        Assert.Equal(("t7", "failed", 4242, "job-7-abc"), (run.TaskId, run.Phase, run.Pid, run.Cgroup));
        Assert.Equal(["accepted", "status", "launched", "status", "confirmed", "status"], run.Events.Select(e => e.Kind));
        Assert.Equal([1L, 2L, 3L], run.Events.Where(e => e.StatusSeq is not null).Select(e => e.StatusSeq!.Value));
        Assert.Equal([("received", 1.0), ("pending", 1.0), ("running", 4.0)], run.SecondsPerPhase.Select(p => (p.Key, p.Value)));
        Assert.Equal(2, run.StatusesConfirmedUpTo);
        Assert.Null(run.Directory); // never validated here (no spec): nothing to say of a directory
        Assert.Null(LedgerReader.ReadHistory(Path, 8, "/jobs"));

        // Listed with its service, read from its kept acceptance; --since leaves it out once it is older.
        var listed = LedgerReader.Read(Path).Single(j => j.JobId == 7);
        Assert.Equal(("slow_echo", "failed"), (listed.Service, listed.LastStatus));
        Assert.DoesNotContain(LedgerReader.Read(Path, finishedSince: t.AddMinutes(1)), j => j.JobId == 7);
    }
}
