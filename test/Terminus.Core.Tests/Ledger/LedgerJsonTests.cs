using System.Text;
using System.Text.Json;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Core.Tests.Execution;

namespace Terminus.Core.Tests.Ledger;

public sealed class LedgerJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<ILedgerRecord> Records => new()
    {
        new JobAccepted(123, "task-1", "root-1", """{"name":"execute_terminus_job"}""", At, false),
        new JobAccepted(123, "task-2", "root-2", """{"name":"execute_terminus_job"}""", At, false, Run: 2, SeqBase: 4),
        new JobMoved(JobPhase.Pending, "pending", "Job successfully submitted (pending execution)", null, "{}", At),
        new JobMoved(JobPhase.TimedOut, "timed_out", "Job timed out", "limit 30 min", null, At),
        new StatusDelivered(3),
        new JobResumed(true, At),
        new JobDirRetired("deleted /jobs/123_x", At),
        new DaemonStarted("myhost", At),
        new DaemonStopped(At),
        new JobAdmitted(123, "task-1", At),
        new JobAdmitted(123, "task-2", At, Run: 2, SeqBase: 4),
        new JobAbandoned(123, "task-1", At),
        new JobRetired(123, "uploaded", "Job data tarball successfully uploaded.", 4, "task-1", "root-1", At),
        new LedgerSnapshot([new LiveJob(5, "t5")], [new JobRetired(1, "failed", "x", 1, "t1", null, At)], new Dictionary<string, int> { ["t9"] = 2 }, true),
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Every_record_survives_a_round_trip_under_its_manifest(ILedgerRecord record)
    {
        var manifest = LedgerJson.ManifestOf(record);
        var back = LedgerJson.FromBytes(LedgerJson.ToBytes(record), manifest);
        Assert.Equal(JsonSerializer.Serialize((object)record), JsonSerializer.Serialize((object)back));
        Assert.EndsWith(".v1", manifest);
    }

    [Fact]
    public void The_on_disk_form_is_stable_json()
    {
        var json = Encoding.UTF8.GetString(LedgerJson.ToBytes(new JobMoved(JobPhase.Running, "running", "Job is running.", null, null, At)));
        Assert.Equal("""{"to":"running","status":"running","message":"Job is running.","detail":null,"spec_json":null,"at":"2026-11-29T12:00:00+00:00"}""", json);
    }

    [Fact]
    public void Records_written_before_runs_were_numbered_read_as_the_first_run()
    {
        var accepted = (JobAccepted)LedgerJson.FromBytes(
            """{"job_id":1,"task_id":"t","root_task_id":"t","task_json":"{}","at":"2026-11-29T12:00:00+00:00","poisoned":false}"""u8, "job-accepted.v1");
        Assert.Equal((1, 0L), (accepted.Run, accepted.SeqBase));
        var retired = (JobRetired)LedgerJson.FromBytes(
            """{"job_id":1,"status":"uploaded","message":"m","seq":4,"task_id":"t","root_task_id":null,"at":"2026-11-29T12:00:00+00:00"}"""u8, "job-retired.v1");
        Assert.Equal(1, retired.Run);
        var snapshot = (LedgerSnapshot)LedgerJson.FromBytes(
            """{"live":[{"job_id":5,"task_id":"t5"}],"retired":[],"abandoned":{},"run_open":true}"""u8, "ledger-snapshot.v1");
        Assert.Equal(new LiveJob(5, "t5", 1), Assert.Single(snapshot.Live));
    }

    [Fact]
    public void An_unknown_record_is_a_clear_error()
    {
        var e = Assert.Throws<JsonException>(() => LedgerJson.FromBytes("{}"u8, "job-teleported.v9"));
        Assert.Contains("job-teleported.v9", e.Message);
    }

    [Fact]
    public void The_celery_task_round_trips_with_its_raw_arguments()
    {
        var task = new CeleryTask("execute_terminus_job", "id-1",
            JsonDocument.Parse("""[123, "density_map", "a", "b", "c", "output_00003"]""").RootElement.EnumerateArray().Select(e => e.Clone()).ToList(),
            new Dictionary<string, JsonElement> { ["size"] = JsonDocument.Parse("""[0.1, "kpc"]""").RootElement.Clone(), ["test"] = JsonDocument.Parse("false").RootElement.Clone() },
            2, "root-1", null);
        var back = LedgerJson.TaskFromJson(LedgerJson.TaskToJson(task));
        Assert.Equal((task.Name, task.Id, task.ProtocolVersion, task.RootId, task.ParentId), (back.Name, back.Id, back.ProtocolVersion, back.RootId, back.ParentId));
        Assert.Equal(task.Args.Select(Norm), back.Args.Select(Norm));
        Assert.Equal("""[0.1,"kpc"]""", Norm(back.Kwargs["size"]));
        Assert.Equal(((BoundJob)JobRequestBinder.Bind(task)).Request.JobId, ((BoundJob)JobRequestBinder.Bind(back)).Request.JobId);
    }

    [Fact]
    public void The_job_spec_round_trips()
    {
        var spec = RunnerRequestTests.Spec(parameters: """{"xcenter": 0.5, "size": [0.1, "kpc"], "label": "é"}""", test: true);
        var back = LedgerJson.SpecFromJson(LedgerJson.SpecToJson(spec));
        Assert.Equal(spec.Service, back.Service);
        Assert.Equal((spec.JobId, spec.JobName, spec.RelativeDataPath, spec.DataRef, spec.TestMode, spec.DataPath),
            (back.JobId, back.JobName, back.RelativeDataPath, back.DataRef, back.TestMode, back.DataPath));
        Assert.Equal(spec.Parameters.ToDictionary(p => p.Key, p => Norm(p.Value)), back.Parameters.ToDictionary(p => p.Key, p => Norm(p.Value)));
        Assert.Equal("é", back.Parameters["label"].GetString());
    }

    [Fact]
    public void A_services_limits_are_kept_with_the_job_spec_and_older_specs_have_none()
    {
        var spec = RunnerRequestTests.Spec();
        var limited = spec with { Service = spec.Service with { MemoryMb = 512, MaxTasks = 64 } };

        Assert.Equal(limited.Service, LedgerJson.SpecFromJson(LedgerJson.SpecToJson(limited)).Service);
        var older = LedgerJson.SpecToJson(spec);
        Assert.DoesNotContain("memory_mb", older);
        Assert.Equal((null, null), (LedgerJson.SpecFromJson(older).Service.MemoryMb, LedgerJson.SpecFromJson(older).Service.MaxTasks));
    }

    private static string Norm(JsonElement e) => JsonSerializer.Serialize(e);
}
