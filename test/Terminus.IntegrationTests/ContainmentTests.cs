using System.Diagnostics;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Processes;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// A job is a sealed unit, on the real daemon, broker and sshd: whatever a service starts (in a new session, as a
/// daemon) ends with the job, however the job ends (success, time limit, a daemon killed and restarted); a record the
/// service rewrote never makes the daemon signal anything outside the job; a step past its deadline is really
/// stopped; a service filling out/ past the cap is stopped while it runs. Each job ends with one terminal status.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ContainmentTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Unprivileged = "65534"; // nobody: a regression's kill(-1) could not reach beyond its own processes

    private static long _nextJobId = 6_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;

    /// <summary>
    /// Starts two detached sleepers marked with <c>marker</c> (one in a new session, one double-forked), then lingers
    /// (with <c>until_file</c>, only until that file exists).
    /// </summary>
    private const string Detacher = """
        import os, subprocess, sys, time
        def run(data_path, data_ref, test=False, marker="", linger=0, until_file="", **kw):
            sleeper = [sys.executable, "-c", "import time; time.sleep(1000)", marker]
            subprocess.Popen(sleeper, start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, sleeper + ["daemonized"])
                os._exit(0)
            with open("out/result.txt", "w") as f:
                f.write("done")
            deadline = time.time() + linger
            while time.time() < deadline and not (until_file and os.path.exists(until_file)):
                time.sleep(0.05)
        """;

    private readonly SiteDaemons _daemons = new(new TestSite(nodes: 1, concurrency: 2), output,
        new Dictionary<string, string> { ["TERMINUS_KILL_GRACE_S"] = "2" });

    private TestSite Site => _daemons.Site;

    public async Task InitializeAsync()
    {
        await Harness.DeclareAsync(Site.HostName);
        Site.AddService("detacher", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 1}}""", Detacher);
    }

    public async Task DisposeAsync() => await _daemons.DisposeAsync();

    private Task<long> SubmitAsync(string service, string kwargs) => SubmitAsync(service, _ => kwargs);

    private async Task<long> SubmitAsync(string service, Func<long, string> kwargs)
    {
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: service), kwargs(id));
        return id;
    }

    private static List<int> Processes(string marker) => MarkedProcesses.Find(marker);

    private static Task NothingLeftAsync(string marker) =>
        Eventually.TrueAsync(() => Processes(marker).Count == 0, $"no process marked {marker} is left within 15 s of the terminal status",
            TimeSpan.FromSeconds(15));

    private static string Marker(long id) => $"terminus-stray-{id}";

    private static Func<long, string> DetacherArgs(int linger, string untilFile = "") =>
        id => $$"""{"marker": "{{Marker(id)}}", "linger": {{linger}}, "until_file": "{{untilFile}}", "test": false}""";

    /// <summary>The detacher's job was uploaded, and none of its detached processes is left; its tarball is removed.</summary>
    private async Task UploadedWithNothingLeftAsync(long id, IReadOnlyList<PortalTask> statuses)
    {
        try
        {
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
            await NothingLeftAsync(Marker(id));
        }
        finally { DeleteFromStorage(id, "detacher"); }
    }

    private void DeleteFromStorage(long id, string service) => File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_{service}.tar.gz"));

    [Theory]
    [InlineData("auto")]
    [InlineData("subreaper")]
    public async Task A_service_that_detaches_processes_ends_uploaded_and_leaves_nothing_running(string containment)
    {
        await _daemons.StartAsync(new Dictionary<string, string> { ["TERMINUS_CONTAINMENT"] = containment });
        var id = await SubmitAsync("detacher", DetacherArgs(linger: 0));
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
        await UploadedWithNothingLeftAsync(id, statuses);
    }

    [Fact]
    public async Task A_detached_service_past_its_time_limit_ends_timed_out_and_leaves_nothing_running()
    {
        await _daemons.StartAsync();
        var id = await SubmitAsync("detacher", DetacherArgs(linger: 3600));
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Processes(Marker(id)).Count == 2, "the detached processes run while the job does");
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(120), output);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.TimedOut], statuses.Select(s => s.Status));
        await NothingLeftAsync(Marker(id));
    }

    [Fact]
    public async Task Kill_9_of_the_daemon_while_a_detached_job_runs_then_restart_re_attaches_to_the_whole_job_and_leaves_nothing_running()
    {
        var daemon = await _daemons.StartAsync();
        // The service runs until the test releases it: the restart may take a while on a busy machine.
        var release = Path.Combine(Site.Root, "release-service");
        var id = await SubmitAsync("detacher", DetacherArgs(linger: 120, release));
        await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Processes(Marker(id)).Count == 2, "both detached processes run");
        ProcessRunner.Signal(daemon.Pid, ProcessRunner.SigKill);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var again = await _daemons.StartAsync();
        await again.WaitForOutputAsync($"Job #{id}: re-attached to its running service", TimeSpan.FromSeconds(60));
        Assert.Equal(2, Processes(Marker(id)).Count); // the whole job is still there, its detached processes included
        File.WriteAllText(release, "");
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
        await UploadedWithNothingLeftAsync(id, statuses);
    }

    [Fact]
    public async Task A_runner_record_rewritten_to_group_1_never_makes_the_daemon_signal_outside_the_job()
    {
        // Rewrites the runner's record to name a process outside the job (pid and start time) and group 1, then ends.
        Site.AddService("forger", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 1}}""", """
            import json, time
            def run(data_path, data_ref, test=False, victim=0, **kw):
                stat = open("/proc/%d/stat" % victim).read()
                ticks = int(stat[stat.rindex(")") + 2:].split()[19])
                with open("terminus_runner.json", "w") as f:
                    json.dump({"pid": victim, "pgid": 1, "start_ticks": ticks, "hostname": "", "started": "2000-01-01 00:00:00 UTC"}, f)
                time.sleep(4)
            """);
        await ProcessRunner.RunAsync("chown", ["-R", $"{Unprivileged}:{Unprivileged}", Site.Root], TimeSpan.FromSeconds(30));
        using var sentinel = Process.Start(new ProcessStartInfo("setpriv",
            [$"--reuid={Unprivileged}", $"--regid={Unprivileged}", "--clear-groups", "sleep", "600"]))!;
        try
        {
            var daemon = await _daemons.StartAsync(asUser: Unprivileged);
            var id = await SubmitAsync("forger", $$"""{"victim": {{sentinel.Id}}, "test": true}""");
            await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));
            ProcessRunner.Signal(daemon.Pid, ProcessRunner.SigKill);
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var exitRecord = Path.Combine(Site.JobDir, $"{id}_forger", "terminus_exit.json");
            await Eventually.TrueAsync(() => File.Exists(exitRecord), "the runner ends while the daemon is down");

            await _daemons.StartAsync(asUser: Unprivileged);
            var statuses = PortalWorker.WithoutCopies(
                await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Success), TimeSpan.FromSeconds(60)));
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success], statuses.Select(s => s.Status));
            Assert.False(sentinel.HasExited, "the process the record named was signalled");
        }
        finally
        {
            if (!sentinel.HasExited) sentinel.Kill();
        }
    }

    [Fact]
    public async Task An_upload_slowed_past_its_deadline_is_killed_before_failed_is_sent_and_the_next_job_uploads()
    {
        Site.AddService("bulky", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 1}}""", """
            import os
            def run(data_path, data_ref, test=False, size=0, **kw):
                with open("out/bulk.bin", "wb") as f:
                    f.write(os.urandom(size))
            """);
        // A 32 KiB/s link (the storage alias's slow twin) under a 1 MiB/s limit: 2 MB gets a deadline of about 19 s.
        var daemon = await _daemons.StartAsync(new Dictionary<string, string>
        {
            ["GALACSTORAGE_SSH_ALIAS"] = ItEnvironment.StorageAlias + "_slow", ["TERMINUS_UPLOAD_BWLIMIT_KB"] = "1024",
            ["TERMINUS_UPLOAD_TIMEOUT_S"] = "5", ["TERMINUS_UPLOAD_RETRY_S"] = "0",
        });
        var slow = await SubmitAsync("bulky", """{"size": 2000000, "test": false}""");
        var next = await SubmitAsync("bulky", """{"size": 1000, "test": false}""");
        try
        {
            await portal.WaitForStatusesAsync(slow, s => s.Any(t => t.Status == JobStatuses.Failed), TimeSpan.FromSeconds(90));
            Assert.Empty(Processes($"{slow}_bulky.tar.gz")); // rsync (and its ssh) were gone when failed was sent
            var statuses = await portal.TerminalStatusesAsync(slow, TimeSpan.FromSeconds(5), output);
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Failed], statuses.Select(s => s.Status));
            Assert.Equal(StatusTexts.UploadError, statuses[^1].Message);
            Assert.Contains($"Job #{slow}: the upload did not finish in time; stopping its upload step", daemon.Output);

            var after = await portal.TerminalStatusesAsync(next, TimeSpan.FromSeconds(60), output);
            Assert.Equal(JobStatuses.Uploaded, after[^1].Status);
        }
        finally
        {
            DeleteFromStorage(slow, "bulky");
            DeleteFromStorage(next, "bulky");
        }
    }

    /// <summary>Leaves out/ as a hostile or careless service would: replaced by a link, with links out of it, or huge and Latin-1.</summary>
    private const string Trickster = """
        import os, shutil
        def run(data_path, data_ref, test=False, mode="", target="", **kw):
            if mode == "replace-out":
                shutil.rmtree("out")
                os.symlink(target, "out")
            elif mode == "links-out":
                os.symlink(os.path.join(target, "_secret", "rabbitmq_server_pwd"), "out/password")
                os.symlink(target, "out/config")
                with open("out/result.txt", "w") as f:
                    f.write("ok")
            elif mode == "many":
                for i in range(20000):
                    d = "out/d%03d" % (i // 100)
                    if i % 100 == 0:
                        os.makedirs(d)
                    with open("%s/f%05d.txt" % (d, i), "w") as f:
                        f.write(str(i))
                with open(b"out/caf\xe9-latin1.txt", "wb") as f:
                    f.write(b"written by a Python 2 service")
        """;

    private async Task<(long Id, IReadOnlyList<PortalTask> Statuses)> RunTricksterAsync(string mode)
    {
        Site.AddService("trickster", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 5}}""", Trickster);
        await _daemons.StartAsync();
        var id = await SubmitAsync("trickster", $$"""{"mode": "{{mode}}", "target": "{{Site.DotDir}}", "test": false}""");
        return (id, await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(120), output));
    }

    private static string StoredTarball(long id) => Path.Combine(ItEnvironment.StorageDir, $"{id}_trickster.tar.gz");

    [Fact]
    public async Task Out_replaced_by_a_link_to_the_daemon_s_configuration_fails_clearly_and_nothing_reaches_the_storage()
    {
        var (id, statuses) = await RunTricksterAsync("replace-out");
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.StartsWith(StatusTexts.TarballError, statuses[^1].Message);
        Assert.Contains("out/ is a link", statuses[^1].Message);
        Assert.False(File.Exists(StoredTarball(id)));
    }

    [Fact]
    public async Task Links_out_of_out_are_left_out_and_nothing_they_point_to_reaches_the_storage()
    {
        var (id, statuses) = await RunTricksterAsync("links-out");
        try
        {
            Assert.Equal(JobStatuses.Uploaded, statuses[^1].Status);
            var listing = await ProcessRunner.RunAsync("tar", ["-tzvf", StoredTarball(id)], TimeSpan.FromSeconds(30));
            Assert.Equal(0, listing.ExitCode);
            Assert.Contains("trickster/result.txt", listing.StdOut);
            Assert.DoesNotContain("password", listing.StdOut);
            Assert.DoesNotContain("config", listing.StdOut.Replace("processing_config.json", ""));
            var content = await ProcessRunner.RunAsync("tar", ["-xzOf", StoredTarball(id)], TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(File.ReadAllText(Path.Combine(Site.DotDir, "_secret", "rabbitmq_server_pwd")).Trim(), content.StdOut);
        }
        finally { File.Delete(StoredTarball(id)); }
    }

    [Fact]
    public async Task Twenty_thousand_files_and_a_latin_1_name_are_an_ordinary_job()
    {
        var (id, statuses) = await RunTricksterAsync("many");
        try
        {
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
            var names = await ProcessRunner.RunAsync("python3", ["-c", """
                import sys, tarfile
                names = [n.encode("utf-8", "surrogateescape") for n in tarfile.open(sys.argv[1]).getnames()]
                print(sum(1 for n in names if n.endswith(b".txt") and b"/d" in n), b"trickster/caf\xe9-latin1.txt" in names)
                """, StoredTarball(id)], TimeSpan.FromSeconds(60));
            Assert.Equal("20000 True", names.StdOut.Trim());
            await Eventually.TrueAsync(() => !Directory.Exists(Path.Combine(Site.JobDir, $"{id}_trickster")), "the job directory is deleted after the upload");
        }
        finally { File.Delete(StoredTarball(id)); }
    }

    [Fact]
    public async Task A_service_past_its_memory_limit_ends_failed_saying_out_of_memory_and_the_daemon_lives()
    {
        var probe = Terminus.Infrastructure.Containment.CgroupHost.Probe("terminus-itprobe");
        if (!probe.CanLimitMemory)
        {
            output.WriteLine($"no memory controller the daemon may use here: {probe.Description}");
            return; // the cgroup tests in Terminus.Infrastructure.Tests say the same; CI has one (v1 on a hybrid host)
        }
        Site.AddService("hog", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 1, "memory_mb": 64}}""", """
            def run(data_path, data_ref, test=False, **kw):
                hog = bytearray(400 * 1024 * 1024)
                for i in range(0, len(hog), 4096):
                    hog[i] = 1
            """);
        var daemon = await _daemons.StartAsync();
        var id = await SubmitAsync("hog", """{"test": false}""");
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.Contains("out of memory", statuses[^1].Message);
        Assert.Contains("64 MB", statuses[^1].Message);
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task A_service_writing_past_the_tarball_cap_is_stopped_while_it_runs()
    {
        Site.AddService("filler", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 1}}""", """
            import time
            def run(data_path, data_ref, test=False, **kw):
                with open("out/fill.bin", "wb") as f:
                    while True:
                        f.write(b"x" * 262144)
                        f.flush()
                        time.sleep(0.1)
            """);
        await _daemons.StartAsync(new Dictionary<string, string> { ["TERMINUS_MAX_TARBALL_MB"] = "2" });
        var id = await SubmitAsync("filler", """{"test": false}""");
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status));
        Assert.StartsWith("Job results are too large to be uploaded", statuses[^1].Message);
        Assert.Empty(Processes($"{id}_filler"));
    }
}
