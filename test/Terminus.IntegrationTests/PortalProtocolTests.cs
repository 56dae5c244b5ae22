using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Terminus.IntegrationTests;

/// <summary>
/// The portal (a real Celery 5 producer and worker) against the daemon process on the real RabbitMQ:
/// every request that names a job id gets exactly one terminal status, decoded by Celery itself.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PortalProtocolTests(PortalWorker portal, RunningDaemon daemon, ITestOutputHelper output) : IClassFixture<RunningDaemon>
{
    private static long _nextJobId = 100_000 + Random.Shared.Next(0, 800_000) * 1000L;
    private static long NextJobId() => Interlocked.Increment(ref _nextJobId);
    private string Host => daemon.Site.HostName;

    private async Task<IReadOnlyList<PortalTask>> SubmitAndWaitForTerminal(long jobId, string args, string kwargs = "{\"test\": false}")
    {
        await Harness.SendJobAsync(Host, args, kwargs);
        var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Any(t => JobLifecycle.IsTerminalStatus(t.Status!, testMode: false)),
            TimeSpan.FromSeconds(30));
        await Task.Delay(500); // anything after the terminal status would show up here
        return portal.StatusesOf(jobId);
    }

    public static TheoryData<string, string, string> Failures => new()
    {
        { "unknown service", "service=nope", "Post-processing service 'nope' is not available." },
        { "missing data directory", "sim=SIMU_404", "Raw simulation data directory 'GAL_FORMATION/TEST_GALAXY/SIMU_404' not found." },
        { "service.json missing", "service=nojson", "Service configuration json file 'service.json' not found." },
        { "service.json invalid JSON", "service=badjson", "Service configuration 'service.json' format not correct ." },
        { "test is not a bool", "test=\"yes\"", "'test_mode' type error: job submission failed" },
        { "alias traversal", "sim=..", "Invalid simulation alias '..': it must be a single directory name (letters, digits, '_', '-', '.')." },
        { "data_ref traversal", "ref=\"../../../../etc\"", "Invalid data reference '../../../../etc': it must not contain '..'." },
        { "data_ref code injection", "ref=\"x\\\"\\nimport os; os.system('touch /tmp/pwned')\\n#\"",
            "Invalid data reference 'x\"?import os; os.system('touch /tmp/pwned')?#': it contains control characters." },
        { "data_ref not a string", "ref=12", "Invalid data reference 12: it must be a string." },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_refused_request_gets_exactly_one_failed_status_with_the_0_7_text(string what, string change, string expected)
    {
        var jobId = NextJobId();
        var (key, value) = (change.Split('=', 2)[0], change.Split('=', 2)[1]);
        var args = key switch
        {
            "service" => TestSite.JobArgs(jobId, service: value),
            "sim" => TestSite.JobArgs(jobId, sim: value),
            "ref" => TestSite.JobArgs(jobId, dataRef: value),
            _ => TestSite.JobArgs(jobId),
        };
        var kwargs = key == "test" ? $"{{\"test\": {value}}}" : "{\"test\": false}";

        var statuses = await SubmitAndWaitForTerminal(jobId, args, kwargs);

        output.WriteLine($"{what}: {string.Join(" | ", statuses.Select(s => $"{s.Status}: {s.Message}"))}");
        var only = Assert.Single(statuses);
        Assert.Equal(JobStatuses.Failed, only.Status);
        Assert.Equal(expected, only.Message);
        Assert.Equal(3, only.Args.Length);
        Assert.Equal("update_terminus_job_status", only.Task);
        Assert.False(File.Exists("/tmp/pwned"));
        var queue = await Harness.QueueStateAsync($"{Host}.terminus_jobs");
        Assert.Equal((0, 0), (queue.Ready, queue.Unacked));
    }

    [Fact]
    public async Task A_valid_request_goes_pending_running_success_uploaded_with_sequence_headers()
    {
        var jobId = NextJobId();
        var taskId = Guid.NewGuid().ToString();
        await Harness.SendJobAsync(Host, TestSite.JobArgs(jobId), "{\"xcenter\": 0.5, \"size\": [0.1, \"kpc\"], \"test\": false}", taskId);
        var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Any(t => JobLifecycle.IsTerminalStatus(t.Status!, false)), TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        statuses = portal.StatusesOf(jobId);

        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
        Assert.Equal([StatusTexts.Submitted, StatusTexts.Running, StatusTexts.Completed, StatusTexts.Uploaded], statuses.Select(s => s.Message));
        Assert.All(statuses, s => Assert.Equal(taskId, s.ParentId));
        Assert.All(statuses, s => Assert.Equal(taskId, s.RootId));
        Assert.Equal([1, 2, 3, 4], statuses.Select(s => s.Headers.GetProperty("x-terminus-seq").GetInt32()));
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{jobId}_density_map.tar.gz"));
    }

    [Fact]
    public async Task The_same_request_again_is_answered_not_run_and_a_new_request_for_a_finished_job_runs_it_again()
    {
        var jobId = NextJobId();
        var args = TestSite.JobArgs(jobId, service: "slow_echo");
        var first = Guid.NewGuid().ToString();
        await Harness.SendJobAsync(Host, args, """{"seconds": 0, "test": true}""", first);
        await portal.WaitForStatusesAsync(jobId, s => s.Any(t => t.Status == JobStatuses.Success), TimeSpan.FromSeconds(60));

        await Harness.SendJobAsync(Host, args, """{"seconds": 0, "test": true}""", first); // the same Celery task again
        var copies = await portal.WaitForStatusesAsync(jobId, s => s.Count(t => t.Status == JobStatuses.Success) == 2, TimeSpan.FromSeconds(30));
        Assert.All(copies.Where(t => t.Status == JobStatuses.Success), t => Assert.Equal(3L, t.Sequence)); // the final status again, with its number
        Assert.Single(daemon.Site.RunsOf(jobId));

        var second = Guid.NewGuid().ToString(); // the portal sends the job again: a new task
        await Harness.SendJobAsync(Host, args, """{"seconds": 0, "test": true}""", second);
        var all = await portal.WaitForStatusesAsync(jobId, s => s.Any(t => t.Sequence == 6), TimeSpan.FromSeconds(60));
        output.WriteLine(string.Join("\n", all.Select(t => $"{t.Sequence} {t.Status} run {t.Headers.GetProperty("x-terminus-attempt")} task {t.ParentId}")));
        var secondRun = all.Where(t => t.ParentId == second).OrderBy(t => t.Sequence).ToList();
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success], secondRun.Select(t => t.Status));
        Assert.Equal([4L, 5, 6], secondRun.Select(t => t.Sequence));
        Assert.All(secondRun, t => Assert.Equal(2, t.Headers.GetProperty("x-terminus-attempt").GetInt32()));
        Assert.All(all.Where(t => t.ParentId == first), t => Assert.Equal(1, t.Headers.GetProperty("x-terminus-attempt").GetInt32()));
        Assert.Equal(2, daemon.Site.RunsOf(jobId).Count);
    }

    [Fact]
    public async Task A_new_request_for_a_job_that_still_runs_is_refused_without_a_status()
    {
        var jobId = NextJobId();
        var args = TestSite.JobArgs(jobId, service: "slow_echo");
        await Harness.SendJobAsync(Host, args, """{"seconds": 4, "test": true}""");
        await portal.WaitForStatusesAsync(jobId, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        var intruder = await Harness.SendJobAsync(Host, args, """{"seconds": 0, "test": true}""");
        await daemon.Daemon.WaitForOutputAsync($"a new request (task {intruder}) came for the job while it runs", TimeSpan.FromSeconds(30));
        var statuses = await portal.WaitForStatusesAsync(jobId, s => s.Any(t => t.Status == JobStatuses.Success), TimeSpan.FromSeconds(60));
        await Task.Delay(500); // anything more about the job would show up here
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success], portal.StatusesOf(jobId).OrderBy(t => t.Sequence).Select(t => t.Status));
        Assert.DoesNotContain(portal.StatusesOf(jobId), t => t.ParentId == intruder);
        Assert.Single(daemon.Site.RunsOf(jobId));
        var queue = await Harness.QueueStateAsync($"{Host}.terminus_jobs");
        Assert.Equal((0, 0), (queue.Ready, queue.Unacked));
    }

    [Fact]
    public async Task Keyword_arguments_work_like_positional_ones()
    {
        var jobId = NextJobId();
        var statuses = await SubmitAndWaitForTerminal(jobId, "[]",
            $$"""{"jobid": {{jobId}}, "service_name": "nope", "cat_alias": "GAL_FORMATION", "proj_alias": "TEST_GALAXY", "exp_alias": "SIMU_1", "data_ref": "output_00003", "test": true}""");
        Assert.Equal("Post-processing service 'nope' is not available.", Assert.Single(statuses).Message);
    }

    [Fact]
    public async Task A_probe_is_answered_with_update_server_online_well_under_a_second()
    {
        var latencies = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sent = await Harness.SendProbeAsync(Host);
            var reply = await portal.WaitForOnlineAsync(Host, sent, TimeSpan.FromSeconds(10));
            latencies.Add(reply.ReceivedAt - sent.SentAt);
            Assert.Equal("update_server_online", reply.Task);
        }
        output.WriteLine($"probe → update_server_online as received by the Celery worker, seconds (from the portal's publish of the probe to its Celery worker running the reply): {string.Join(", ", latencies.Select(l => l.ToString("0.000")))}");
        Assert.True(latencies.Min() < 1.0, $"fastest probe answer took {latencies.Min():0.000} s");
    }

    public static TheoryData<string, string[]> Hostile => new()
    {
        { "not json", ["--body", "this is not json"] },
        { "truncated json", ["--body", "[[1, \"a\""] },
        { "wrong shape", ["--body", "{\"a\": 1}"] },
        { "unknown task", ["--body", "[[1], {}, {}]", "--header", "task=\"os.system\""] },
        { "no task header, not v1", ["--body", "[[1, 2], {}, {}]", "--no-task-header"] },
        { "pickle", ["--body", "cos\nsystem\n(S'id'\ntR.", "--content-type", "application/x-python-serialize"] },
        { "jobid a string", ["--body", "[[\"12\", \"density_map\", \"a\", \"b\", \"c\", \"d\"], {}, {}]"] },
        { "jobid missing", ["--body", "[[], {\"service_name\": \"density_map\"}, {}]"] },
        { "binary garbage", ["--body", "\u0001\u0002\u00ff\u00fe", "--content-encoding", "binary"] },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_or_malformed_message_is_rejected_and_the_daemon_stays_up(string what, string[] options)
    {
        await Harness.SendRawAsync(Host, "jobs", options[1], options.Skip(2).ToArray());
        var deadline = DateTime.UtcNow.AddSeconds(15);
        (int Ready, int Unacked, int Consumers) queue;
        while ((queue = await Harness.QueueStateAsync($"{Host}.terminus_jobs")) is not (0, 0, _) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.True(queue is (0, 0, 1), $"{what}: queue state {queue}");
        Assert.False(daemon.Daemon.HasExited);
        var sent = await Harness.SendProbeAsync(Host);
        await portal.WaitForOnlineAsync(Host, sent, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_malformed_message_on_the_monitor_queue_does_not_dead_letter_to_host_down()
    {
        await Harness.RunAsync("purge", "--queue", "galactica.host_down");
        await Harness.SendRawAsync(Host, "monitor", "{{{ not json");
        await Task.Delay(1500);
        var state = await Harness.QueueStateAsync($"{Host}.monitor");
        Assert.Equal((0, 0), (state.Ready, state.Unacked));
        var downs = await Harness.RunAsync("get", "--queue", "galactica.host_down", "--max", "10");
        Assert.DoesNotContain(Host, downs);
    }
}
