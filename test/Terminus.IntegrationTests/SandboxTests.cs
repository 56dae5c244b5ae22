using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Terminus.Core;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Processes;
using Terminus.IntegrationTests.Infrastructure;
using Terminus.TestSupport;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// Each job sees only what it should, on the real daemon, broker and sshd: a curious service, run while another
/// job runs, cannot read the broker password (neither by its path nor through the daemon's <c>/proc</c> entry),
/// cannot write into the data, and sees no other job; with <c>TERMINUS_SANDBOX=off</c> the same service can do all
/// of it, which proves the sandbox does the work. A host without user namespaces stops <c>on</c> at start-up and lets
/// <c>auto</c> run; a sandbox that cannot be made for a job fails it under <c>on</c> and runs it without under <c>auto</c>.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class SandboxTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Nobody = RunAs.NobodyUid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static long _nextJobId = 6_500_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;

    /// <summary>Tries what a curious service would, and writes what happened to out/report.json (or, strict, fails on the data).</summary>
    private const string Prober = """
        import json, os
        def attempt(action):
            try:
                return {"ok": True, "value": action()}
            except Exception as e:
                return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        def write(path):
            with open(path, "w") as f:
                f.write("written by a job")
            return path
        def read(path):
            with open(path) as f:
                return f.read().strip()
        def run(data_path, data_ref, test=False, secret="", data_dir="", daemon_pid=0, strict=False, **kw):
            if strict:
                write(os.path.join(data_path, "written-by-a-job"))
            report = {
                "secret": attempt(lambda: read(secret)),
                "secret_through_proc": attempt(lambda: read("/proc/%d/root%s" % (daemon_pid, secret))),
                "data_write": attempt(lambda: write(os.path.join(data_dir, "written-by-a-job"))),
                "snapshot_write": attempt(lambda: write(os.path.join(data_path, data_ref, "written-by-a-job"))),
                "job_root": attempt(lambda: sorted(os.listdir(".."))),
                "snapshot_read": attempt(lambda: sorted(os.listdir(os.path.join(data_path, data_ref)))),
            }
            with open("out/report.json", "w") as f:
                json.dump(report, f)
        """;

    private readonly SiteDaemons _daemons = new(new TestSite(nodes: 1, concurrency: 2), output);

    private TestSite Site => _daemons.Site;

    private string Password => File.ReadAllText(Path.Combine(Site.DotDir, "_secret", "rabbitmq_server_pwd")).Trim();

    public async Task InitializeAsync()
    {
        await Harness.DeclareAsync(Site.HostName);
        Site.AddService("prober", """{"job": {"type": "python", "interpreter": "/usr/bin/python3", "n_nodes": 1, "n_cores": 1, "timout_mn": 1}}""", Prober);
    }

    public async Task DisposeAsync() => await _daemons.DisposeAsync();

    private async Task<long> SubmitAsync(string service, string kwargs)
    {
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: service), kwargs);
        return id;
    }

    private string ProberArgs(DaemonProcess daemon, bool strict = false, bool test = false) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["secret"] = Path.Combine(Site.DotDir, "_secret", "rabbitmq_server_pwd"), ["data_dir"] = Site.DataDir, ["daemon_pid"] = daemon.Pid,
        ["strict"] = strict, ["test"] = test,
    });

    /// <summary>The job's out/report.json, from the tarball the storage received.</summary>
    private static JsonElement UploadedReport(long id)
    {
        var tarball = Path.Combine(ItEnvironment.StorageDir, $"{id}_prober.tar.gz");
        try
        {
            using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
                if (entry.Name == "prober/report.json") // out/ is packed under the service's name, as 0.7 does
                    return JsonDocument.Parse(entry.DataStream!).RootElement.Clone();
            throw new InvalidOperationException($"{tarball} holds no prober/report.json");
        }
        finally { File.Delete(tarball); }
    }

    private static string Text(JsonElement report, string attempt) => report.GetProperty(attempt).ToString();

    private static bool Succeeded(JsonElement report, string attempt) => report.GetProperty(attempt).GetProperty("ok").GetBoolean();

    [Theory]
    [InlineData("auto")]
    [InlineData("off")]
    public async Task A_curious_service_beside_another_job_reads_no_secret_writes_no_data_and_sees_no_other_job_unless_the_sandbox_is_off(string mode)
    {
        var sandboxed = mode != "off";
        var daemon = await _daemons.StartAsync(new Dictionary<string, string> { ["TERMINUS_SANDBOX"] = mode });
        var release = Path.Combine(Site.Root, "release-neighbour");
        var neighbour = await SubmitAsync("slow_echo", $$"""{"seconds": 120, "until_file": "{{release}}", "test": false}""");
        await portal.WaitForStatusesAsync(neighbour, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(60));

        var id = await SubmitAsync("prober", ProberArgs(daemon));
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
        File.WriteAllText(release, "");
        var neighbourStatuses = await portal.TerminalStatusesAsync(neighbour, TimeSpan.FromSeconds(90), output);
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{neighbour}_slow_echo.tar.gz"));

        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success, JobStatuses.Uploaded], statuses.Select(s => s.Status));
        Assert.Equal(JobStatuses.Uploaded, neighbourStatuses[^1].Status);
        var report = UploadedReport(id);
        output.WriteLine(report.ToString());
        Assert.True(Succeeded(report, "snapshot_read"), Text(report, "snapshot_read"));
        Assert.Equal(!sandboxed, Succeeded(report, "secret"));
        Assert.Equal(!sandboxed, Succeeded(report, "secret_through_proc"));
        Assert.Equal(!sandboxed, Succeeded(report, "data_write"));
        Assert.Equal(!sandboxed, Succeeded(report, "snapshot_write"));
        var jobRoot = report.GetProperty("job_root").GetProperty("value").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains($"{id}_prober", jobRoot);
        Assert.Equal(!sandboxed, jobRoot.Contains($"{neighbour}_slow_echo"));
        if (sandboxed)
        {
            Assert.Equal([$"{id}_prober"], jobRoot);
            Assert.Contains("Read-only file system", Text(report, "data_write"));
            Assert.Contains("Read-only file system", Text(report, "snapshot_write"));
            Assert.Contains("Sandbox: bwrap", daemon.Output);
            await daemon.WaitForOutputAsync($"Job #{id}: runner started", TimeSpan.FromSeconds(30)); // logged asynchronously
        }
        else
        {
            Assert.Equal(Password, report.GetProperty("secret").GetProperty("value").GetString());
            Assert.Contains("Sandbox: no sandbox, as TERMINUS_SANDBOX=off asks", daemon.Output);
        }
        Assert.Equal(sandboxed ? 2 : 0, daemon.Output.Occurrences("in its sandbox"));
    }

    [Fact]
    public async Task A_service_that_writes_into_the_data_fails_with_its_own_error_and_the_log_says_the_data_is_read_only_in_the_sandbox()
    {
        var daemon = await _daemons.StartAsync();
        var id = await SubmitAsync("prober", ProberArgs(daemon, strict: true));

        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);

        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Failed], statuses.Select(s => s.Status).Take(3));
        Assert.Contains("Read-only file system", statuses[2].Message);
        await daemon.WaitForOutputAsync($"Job #{id}: the service tried to write where the sandbox allows no writing; the data directory", TimeSpan.FromSeconds(10));
        Assert.Contains("is read-only in the sandbox (TERMINUS_SANDBOX_DATA=rw makes it writable)", daemon.Output);
        Assert.Empty(Directory.GetFiles(Site.DataDir, "written-by-a-job", SearchOption.AllDirectories));
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_prober.tar.gz"));
    }

    [Fact]
    public async Task On_a_host_without_user_namespaces_on_refuses_to_start_in_one_line_and_auto_runs_unsandboxed_and_says_why_once()
    {
        await ProcessRunner.RunAsync("chown", ["-R", $"{Nobody}:{Nobody}", Site.Root], TimeSpan.FromSeconds(30));

        var refused = _daemons.Launch(new Dictionary<string, string> { ["TERMINUS_SANDBOX"] = "on" }, Nobody, RunAs.UserNamespacesOff);
        Assert.Equal(ExitCodes.Config, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(refused.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("terminus-daemon: TERMINUS_SANDBOX=on, but jobs cannot be sandboxed here (bwrap", line);
        Assert.Contains("Creating new namespace failed", line);
        Assert.EndsWith("the daemon will not start", line);

        var daemon = await _daemons.StartAsync(new Dictionary<string, string> { ["TERMINUS_SANDBOX"] = "auto" }, Nobody, RunAs.UserNamespacesOff);
        var id = await SubmitAsync("prober", ProberArgs(daemon, test: true));
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output, testMode: true);

        Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success], statuses.Select(s => s.Status));
        Assert.Equal(1, daemon.Output.Occurrences("Sandbox: no sandbox, as it cannot be used here (bwrap"));
        Assert.Contains("Creating new namespace failed", daemon.Output);
        await daemon.WaitForOutputAsync($"Job #{id}: runner started", TimeSpan.FromSeconds(30)); // logged asynchronously
        Assert.DoesNotContain("in its sandbox", daemon.Output);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("auto")]
    public async Task A_sandbox_that_cannot_be_made_for_a_job_fails_it_under_on_and_runs_it_without_under_auto(string mode)
    {
        await ProcessRunner.RunAsync("chown", ["-R", $"{Nobody}:{Nobody}", Site.Root], TimeSpan.FromSeconds(30));
        var daemon = await _daemons.StartAsync(new Dictionary<string, string> { ["TERMINUS_SANDBOX"] = mode }, Nobody, RunAs.UserNamespace(namespacesOff: false));
        Assert.Contains("Sandbox: bwrap", daemon.Output);
        // User namespaces turned off after the daemon started (as an administrator might), in the daemon's namespace only.
        var inside = ProcessTable.Descendants(daemon.Pid, ProcessTable.All()).First(p => UserNamespaceOf(p) != UserNamespaceOf(Environment.ProcessId));
        var off = await ProcessRunner.RunAsync(RunAs.TurnUserNamespacesOff(inside)[0], RunAs.TurnUserNamespacesOff(inside).Skip(1).ToList(), TimeSpan.FromSeconds(30));
        Assert.True(off.ExitCode == 0, off.StdErr);

        var id = await SubmitAsync("prober", ProberArgs(daemon, test: true));
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output, testMode: true);

        if (mode == "on")
        {
            Assert.Equal([JobStatuses.Pending, JobStatuses.Failed], statuses.Select(s => s.Status));
            Assert.Contains("the job's sandbox could not be made on the Terminus host", statuses[1].Message);
            Assert.False(File.Exists(Path.Combine(Site.JobDir, $"{id}_prober", "terminus_runner.json")), "the runner never started");
        }
        else
        {
            Assert.Equal([JobStatuses.Pending, JobStatuses.Running, JobStatuses.Success], statuses.Select(s => s.Status));
            await daemon.WaitForOutputAsync($"Job #{id}: its sandbox could not be made (bwrap: Creating new namespace failed", TimeSpan.FromSeconds(10));
            Assert.Contains("TERMINUS_SANDBOX=auto runs it without one", daemon.Output);
        }
    }

    private static string UserNamespaceOf(int pid) => new FileInfo($"/proc/{pid}/ns/user").LinkTarget ?? "";
}
