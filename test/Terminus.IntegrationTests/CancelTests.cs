using Terminus.Core.Jobs;
using Terminus.Infrastructure.Processes;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// Cancel (<c>cancel_terminus_job</c> from the portal, <c>terminus cancel</c> from the operator) on the real daemon,
/// broker and sshd: a request still in the broker never runs, a running job's whole tree is stopped, an upload is
/// stopped, a finished job is left alone, and a cancel sent while the daemon is down is taken when it is back. Each job
/// ends with exactly one terminal status and nothing of it left running. (Under SLURM: <see cref="SlurmTests"/>.)
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class CancelTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private static long _nextJobId = 8_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;

    /// <summary>Starts a sleeper marked with <c>marker</c> in a new session (a grandchild that left the job's group), then waits for <c>until_file</c>.</summary>
    private const string Waiter = """
        import os, subprocess, sys, time
        def run(data_path, data_ref, test=False, marker="", until_file="", size=0, **kw):
            if marker:
                subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", marker], start_new_session=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open("out/result.bin", "wb") as f:
                f.write(os.urandom(size))
            deadline = time.time() + 600
            while until_file and time.time() < deadline and not os.path.exists(until_file):
                time.sleep(0.05)
        """;

    private readonly SiteDaemons _daemons = new(new TestSite(nodes: 1, concurrency: 1), output,
        new Dictionary<string, string> { ["TERMINUS_KILL_GRACE_S"] = "2" });

    private TestSite Site => _daemons.Site;

    public async Task InitializeAsync()
    {
        await Harness.DeclareAsync(Site.HostName);
        Site.AddService("waiter", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 10}}""", Waiter);
    }

    public async Task DisposeAsync() => await _daemons.DisposeAsync();

    private async Task<long> SubmitAsync(string service, string kwargs)
    {
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: service), kwargs);
        return id;
    }

    private string Release(long id) => Path.Combine(Site.Root, $"release-{id}");

    private string WaiterArgs(long id, bool marked = false, int size = 0) =>
        $$"""{"until_file": "{{Release(id)}}", "marker": "{{(marked ? Marker(id) : "")}}", "size": {{size}}, "test": false}""";

    private static string Marker(long id) => $"terminus-cancel-{id}";

    private static int Processes(string marker) => MarkedProcesses.Find(marker).Count;

    private Task<ProcessRunner.Result> CancelAsOperatorAsync(long id, string reason) =>
        TerminusCli.RunAsync(Site.Environment(), "cancel", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--reason", reason);

    [Fact]
    public async Task A_cancel_for_a_request_still_waiting_behind_a_busy_slot_is_taken_at_once_and_the_request_never_runs()
    {
        var daemon = await _daemons.StartAsync();
        var blocker = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(blocker, service: "waiter"), WaiterArgs(blocker));
        await portal.WaitForStatusesAsync(blocker, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        var waiting = await SubmitAsync("density_map", """{"npix": 16, "test": false}""");

        await Harness.SendCancelAsync(Site.HostName, waiting); // the monitor queue: never behind the busy slot
        await daemon.WaitForOutputAsync($"Job #{waiting}: cancel by the portal for a job not received yet", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(portal.StatusesOf(blocker), s => s.Status != JobStatuses.Pending && s.Status != JobStatuses.Running); // still busy

        File.WriteAllText(Release(blocker), "");
        Assert.Equal(JobStatuses.Uploaded, (await portal.TerminalStatusesAsync(blocker, TimeSpan.FromSeconds(90), output))[^1].Status);
        var statuses = await portal.TerminalStatusesAsync(waiting, TimeSpan.FromSeconds(60), output);
        Assert.Equal([(JobStatuses.Failed, "Job cancelled by the portal.")], statuses.Select(s => (s.Status!, s.Message!)));
        Assert.False(Directory.Exists(Path.Combine(Site.JobDir, $"{waiting}_density_map")), "the cancelled request never got a job directory");
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{blocker}_waiter.tar.gz"));
    }

    [Fact]
    public async Task Terminus_cancel_of_a_running_job_stops_its_whole_tree_a_grandchild_in_a_new_session_included()
    {
        await _daemons.StartAsync();
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: "waiter"), WaiterArgs(id, marked: true));
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => Processes(Marker(id)) == 1, "the grandchild runs while the job does");

        var cancel = await CancelAsOperatorAsync(id, "sent by mistake");
        output.WriteLine(cancel.StdOut + cancel.StdErr);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains($"sent to {Site.HostName}.monitor", cancel.StdOut);

        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.Equal("Job cancelled by the lab's operator: sent by mistake.", statuses[^1].Message);
        await Eventually.TrueAsync(() => Processes(Marker(id)) == 0, "nothing of the job is left running", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_cancel_while_uploading_stops_the_rsync_and_ends_the_job_cancelled()
    {
        // A 32 KiB/s link (the storage alias's slow twin): 3 MB takes minutes to upload.
        var daemon = await _daemons.StartAsync(new Dictionary<string, string> { ["GALACSTORAGE_SSH_ALIAS"] = ItEnvironment.StorageAlias + "_slow" });
        var id = Interlocked.Increment(ref _nextJobId);
        File.WriteAllText(Release(id), "");
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: "waiter"), WaiterArgs(id, size: 3_000_000));
        var tarball = $"{id}_waiter.tar.gz";
        await daemon.WaitForOutputAsync($"uploading {tarball}", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => Processes(tarball) > 0, "rsync carries the tarball");

        await Harness.SendCancelAsync(Site.HostName, id);
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.Equal("Job cancelled by the portal.", statuses[^1].Message);
        await Eventually.TrueAsync(() => Processes(tarball) == 0, "no rsync of the tarball is left", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_cancel_after_the_job_finished_changes_nothing()
    {
        var daemon = await _daemons.StartAsync();
        var id = await SubmitAsync("bash_hello", """{"greeting": "hello", "test": true}""");
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output, testMode: true);
        Assert.Equal(JobStatuses.Success, statuses[^1].Status);
        await daemon.WaitForOutputAsync($"Job #{id}: deleted", TimeSpan.FromSeconds(30));

        await Harness.SendCancelAsync(Site.HostName, id);
        // Retired already ("finished"), or about to be ("ended"): either way nothing is stopped and nothing is sent.
        await daemon.WaitForOutputAsync($"Job #{id}: a cancel by the portal came after the job ", TimeSpan.FromSeconds(30));
        Assert.Equal(statuses.Count, portal.StatusesOf(id).Count);
    }

    [Fact]
    public async Task A_cancel_sent_while_the_daemon_is_down_takes_effect_when_it_is_back_and_leaves_nothing_running()
    {
        var daemon = await _daemons.StartAsync();
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: "waiter"), WaiterArgs(id, marked: true));
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => Processes(Marker(id)) == 1, "the grandchild runs while the job does");
        daemon.Terminate(); // a clean stop leaves the service running, to be picked up at the next start
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Eventually.TrueAsync(async () => (await Harness.QueueStateAsync($"{Site.HostName}.monitor")).Consumers == 0, "the daemon's consumers are gone");

        var cancel = await CancelAsOperatorAsync(id, "wrong snapshot");
        output.WriteLine(cancel.StdOut + cancel.StdErr);
        Assert.Equal(0, cancel.ExitCode);
        var note = Path.Combine(Site.DotDir, "cancels", $"{id}.cancel");
        Assert.Contains($"cancel of job {id} left in {note}: no daemon consumes {Site.HostName}.monitor now; the daemon takes it when it starts", cancel.StdOut);
        Assert.True(File.Exists(note));
        Assert.Equal(1, Processes(Marker(id))); // nothing was stopped while the daemon was down

        // The resumed job holds the daemon's only job slot (the site's 1 × 1): the cancel waits for no slot, it is taken at start.
        var back = _daemons.Launch();
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.Equal("Job cancelled by the lab's operator: wrong snapshot.", statuses[^1].Message);
        await Eventually.TrueAsync(() => Processes(Marker(id)) == 0, "nothing of the job is left running", TimeSpan.FromSeconds(15));
        await back.WaitForOutputAsync($"Job #{id}: the lab's operator's cancel taken from {note}", TimeSpan.FromSeconds(30));
        Assert.False(File.Exists(note));
    }
}
