using System.Text.Json;
using System.Globalization;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// The operator's side for real: `terminus check` against the real broker, sshd and services; `terminus status`
/// reading the ledger of a running daemon; `terminus config` interrupted by Ctrl-C; the daemon in a detached
/// screen session; its systemd notifications (readiness, watchdog, stop); the install script.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class OperatorToolsTests(PortalWorker portal, ITestOutputHelper output)
{
    private static long _nextJobId = 7_000_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;

    private static Task<ProcessRunner.Result> RunTerminus(TestSite site, params string[] args) => TerminusCli.RunAsync(site.Environment(), args);

    [Fact]
    public async Task Check_reports_every_item_on_its_own_line_with_a_verdict()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        try
        {
            var result = await RunTerminus(site, "check");
            output.WriteLine(result.StdOut);
            var lines = result.StdOut.Split('\n');
            Assert.Equal(1, result.ExitCode); // the site has two broken services on purpose
            Assert.Contains(lines, l => l.StartsWith("[ ok ] configuration: host '" + site.HostName));
            Assert.Contains(lines, l => l.StartsWith($"[ ok ] broker: logged in"));
            Assert.Contains(lines, l => l.StartsWith($"[ ok ] queue {site.HostName}.terminus_jobs: exists"));
            Assert.Contains(lines, l => l.StartsWith($"[ ok ] queue {site.HostName}.monitor: exists"));
            Assert.Contains(lines, l => l.StartsWith($"[ ok ] storage: ssh {ItEnvironment.StorageAlias} works"));
            Assert.Contains(lines, l => l.StartsWith("[ ok ] service density_map: python, /usr/bin/python3, run(data_path, data_ref, test"));
            Assert.Contains(lines, l => l.StartsWith("[ ok ] service bash_hello: bash"));
            Assert.Contains(lines, l => l.StartsWith("[FAIL] service badjson: Service configuration 'service.json' format not correct ."));
            Assert.Contains(lines, l => l.StartsWith("[FAIL] service nojson: Service configuration json file 'service.json' not found."));
            Assert.Contains("2 problem(s)", result.StdOut);

            var env = site.Environment();
            env["GALACSTORAGE_SSH_ALIAS"] = ItEnvironment.StorageAlias + "_refused";
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
            var broken = await TerminusCli.RunAsync(env, "check");
            Assert.Contains("[FAIL] storage: ssh -o BatchMode=yes", broken.StdOut);
            Assert.Contains($"[FAIL] queue {site.HostName}.terminus_jobs: queue '{site.HostName}.terminus_jobs' does not exist", broken.StdOut);
        }
        finally { await Harness.RunAsync("delete-queues", "--host", site.HostName); }
    }

    [Fact]
    public async Task Status_shows_the_jobs_of_a_running_daemon_from_its_ledger()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        await using var daemon = DaemonProcess.Start(site.Environment(), Path.Combine(site.Root, "daemon.out"));
        try
        {
            await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);
            var id = Interlocked.Increment(ref _nextJobId);
            var release = Path.Combine(site.Root, "release-service"); // the service runs until the status was read
            await Harness.SendJobAsync(site.HostName, TestSite.JobArgs(id, service: "slow_echo"),
                $$"""{"seconds": 120, "until_file": "{{release}}", "test": false}""");
            await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Running), TimeSpan.FromSeconds(30));

            var running = await RunTerminus(site, "status");
            output.WriteLine(running.StdOut);
            Assert.Equal(0, running.ExitCode);
            Assert.Matches($@"{id}\s+slow_echo\s+Running\s+\d+[smhd]\s+running: Job is running\.", running.StdOut);
            File.WriteAllText(release, "");

            await portal.WaitForStatusesAsync(id, s => s.Any(t => t.Status == JobStatuses.Uploaded), TimeSpan.FromSeconds(60));
            // The job retires once the broker confirmed "uploaded" and its directory is gone: wait for the ledger to say so.
            var all = await RunTerminus(site, "status", "--all");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!all.StdOut.Contains("0 unfinished job(s)") && DateTime.UtcNow < deadline) all = await RunTerminus(site, "status", "--all");
            output.WriteLine(all.StdOut);
            Assert.Matches($@"{id}\s+slow_echo\s+Retired\s+\d+[smhd]\s+uploaded: Job data tarball successfully uploaded\.", all.StdOut);
            Assert.Contains("0 unfinished job(s)", all.StdOut);
            File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_slow_echo.tar.gz"));

            // Its history, kept in the ledger after it retired.
            var show = await RunTerminus(site, "show", id.ToString(CultureInfo.InvariantCulture));
            output.WriteLine(show.StdOut);
            Assert.Equal(0, show.ExitCode);
            Assert.StartsWith($"job {id}: finished uploaded: Job data tarball successfully uploaded.", show.StdOut);
            Assert.Contains("pending: status pending sent [status #1, run 1] \"Job successfully submitted (pending execution)\"", show.StdOut);
            Assert.Contains("running: status running sent [status #2, run 1]", show.StdOut);
            Assert.Contains("uploaded: status uploaded sent [status #4, run 1]", show.StdOut);
            Assert.Matches(@"runner started: pid \d+", show.StdOut);
            Assert.Matches(@"time per phase: received [\d.]+ s, pending [\d.]+ s, running [\d.]+ s, succeeded [\d.]+ s, packaging [\d.]+ s, uploading [\d.]+ s", show.StdOut);
            Assert.Contains("outcome: uploaded: Job data tarball successfully uploaded. (every status confirmed by the broker)", show.StdOut);

            var json = await RunTerminus(site, "show", id.ToString(CultureInfo.InvariantCulture), "--json");
            using (var doc = JsonDocument.Parse(json.StdOut))
            {
                var run = doc.RootElement.GetProperty("runs")[0];
                Assert.Equal(("slow_echo", "uploaded", 4), (run.GetProperty("service").GetString(), run.GetProperty("last_status").GetString(),
                    run.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "status")));
                Assert.Equal("uploaded", doc.RootElement.GetProperty("retired").GetProperty("status").GetString());
            }
            var uploaded = await RunTerminus(site, "jobs", "--status", "uploaded", "--since", "1h", "--json");
            using (var doc = JsonDocument.Parse(uploaded.StdOut))
                Assert.Contains(doc.RootElement.EnumerateArray(), j => j.GetProperty("job_id").GetInt64() == id && j.GetProperty("service").GetString() == "slow_echo");
            var failed = await RunTerminus(site, "jobs", "--status", "failed");
            Assert.DoesNotContain(id.ToString(CultureInfo.InvariantCulture), failed.StdOut);
            var unknown = await RunTerminus(site, "show", "1");
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("knows no job 1", unknown.StdOut);
        }
        finally
        {
            daemon.Terminate();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
        }
    }

    [Fact]
    public async Task Ctrl_c_in_the_middle_of_terminus_config_leaves_everything_untouched()
    {
        var home = Directory.CreateTempSubdirectory("terminus-ctrlc-").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet", [TerminusCli.Dll, "config"])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            psi.Environment["HOME"] = home;
            psi.Environment.Remove("TERMINUS_DOT_DIR");
            using var p = Process.Start(psi)!;
            var said = new StringBuilder();
            _ = Task.Run(async () => { var buffer = new char[256]; int n; while ((n = await p.StandardOutput.ReadAsync(buffer)) > 0) lock (said) said.Append(buffer, 0, n); });
            async Task WaitFor(string text)
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (!Said(text)) { Assert.True(DateTime.UtcNow < deadline, $"no '{text}' in:\n{said}"); await Task.Delay(20); }
            }
            bool Said(string text) { lock (said) return said.ToString().Contains(text); }

            await WaitFor("Your choice ? : ");
            await p.StandardInput.WriteLineAsync("1");
            await p.StandardInput.WriteLineAsync("anais");
            await WaitFor("Enter a terminus data directory");
            ProcessRunner.Signal(p.Id, 2); // SIGINT, as Ctrl-C in a terminal
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"exit {p.ExitCode}:\n{said}");
            Assert.NotEqual(0, p.ExitCode);
            Assert.Empty(Directory.EnumerateFileSystemEntries(home));
        }
        finally { Directory.Delete(home, recursive: true); }
    }

    [Fact]
    public async Task The_console_daemon_runs_in_a_detached_screen_answers_a_probe_and_quits_cleanly_on_ctrl_c()
    {
        using var site = new TestSite();
        await Harness.DeclareAsync(site.HostName);
        var session = $"terminus-it-{site.HostName}";
        var daemonDll = Path.Combine(AppContext.BaseDirectory, "terminus-daemon.dll");
        var env = site.Environment().Select(kv => $"{kv.Key}={kv.Value}").ToArray();
        try
        {
            var start = await ProcessRunner.RunAsync("screen", ["-dmS", session, "-L", "-Logfile", Path.Combine(site.Root, "screen.log"),
                "env", .. env, "dotnet", daemonDll], TimeSpan.FromSeconds(30));
            Assert.Equal(0, start.ExitCode);
            var log = () => Directory.Exists(site.LogDir) ? string.Concat(Directory.GetFiles(site.LogDir).Select(File.ReadAllText)) : "";
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!log().Contains($"Consuming queue {site.HostName}.monitor")) { Assert.True(DateTime.UtcNow < deadline, log()); await Task.Delay(100); }
            Assert.Contains(session, (await ProcessRunner.RunAsync("screen", ["-ls"], TimeSpan.FromSeconds(10))).StdOut);

            var probe = await Harness.SendProbeAsync(site.HostName);
            await portal.WaitForOnlineAsync(site.HostName, probe, TimeSpan.FromSeconds(10));

            await ProcessRunner.RunAsync("screen", ["-S", session, "-X", "stuff", "\u0003"], TimeSpan.FromSeconds(10)); // Ctrl-C in the window
            deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await ProcessRunner.RunAsync("screen", ["-ls"], TimeSpan.FromSeconds(10))).StdOut.Contains(session))
            {
                Assert.True(DateTime.UtcNow < deadline, "the screen session did not end after Ctrl-C");
                await Task.Delay(200);
            }
            output.WriteLine(log());
            Assert.Contains("Stopping: no new jobs or probes are taken", log());
            Assert.Contains("CoordinatedShutdown", log());
        }
        finally
        {
            await ProcessRunner.RunAsync("screen", ["-S", session, "-X", "quit"], TimeSpan.FromSeconds(10));
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
        }
    }

    [Fact]
    public async Task Under_systemd_the_daemon_says_ready_only_once_consuming_pets_the_watchdog_and_says_stopping()
    {
        using var site = new TestSite();
        var socketPath = Path.Combine(site.Root, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var received = new List<(double At, string Text)>();
        var clock = Stopwatch.StartNew();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                int n;
                try { n = await socket.ReceiveAsync(buffer); } catch (Exception) { return; }
                lock (received) received.Add((clock.Elapsed.TotalSeconds, Encoding.UTF8.GetString(buffer, 0, n)));
            }
        });
        string[] Notified() { lock (received) return received.Select(r => r.Text).ToArray(); }

        var env = site.Environment();
        env["NOTIFY_SOCKET"] = socketPath;
        env["WATCHDOG_USEC"] = "2000000";
        await using var daemon = DaemonProcess.Start(env, Path.Combine(site.Root, "daemon.out"));
        try
        {
            await daemon.WaitForOutputAsync($"queue '{site.HostName}.terminus_jobs' does not exist", TimeSpan.FromSeconds(60));
            await Task.Delay(1000);
            Assert.DoesNotContain(Notified(), n => n.Contains("READY=1")); // the portal's queues are missing: not ready

            await Harness.DeclareAsync(site.HostName);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Notified().Any(n => n.StartsWith("READY=1"))) { Assert.True(DateTime.UtcNow < deadline, daemon.Output); await Task.Delay(50); }
            // The watchdog is petted every half interval (1 s here): wait for four pets, then check they are paced. The
            // times are when our reader took each datagram, which a busy machine can delay by a fraction of a second:
            // one gap may look short and the next long. So the check is on the span of the four (3 s when paced, a few
            // ms for a loop that forgets to wait or reads the interval in the wrong unit), not on each gap.
            while (Notified().Count(n => n == "WATCHDOG=1") < 4) { Assert.True(DateTime.UtcNow < deadline, daemon.Output); await Task.Delay(50); }
            double[] pets;
            lock (received) pets = received.Where(r => r.Text == "WATCHDOG=1").Select(r => r.At).ToArray();
            output.WriteLine($"watchdog notifications at {string.Join(", ", pets.Select(t => t.ToString("0.00")))} s with WATCHDOG_USEC=2 s");
            var span = pets[3] - pets[0];
            Assert.True(span >= 1.5, $"four pets within {span:0.00} s: faster than every half interval (1 s)");

            daemon.Terminate();
            Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            // Sent before the exit; the datagram may still wait in the socket for our reader.
            await Eventually.TrueAsync(() => Notified().Contains("STOPPING=1"), "the daemon said STOPPING=1 to systemd", TimeSpan.FromSeconds(10));
        }
        finally
        {
            if (!daemon.HasExited) daemon.Terminate();
            await Harness.RunAsync("delete-queues", "--host", site.HostName);
        }
    }

    [Fact]
    public async Task The_install_script_puts_the_commands_in_a_prefix_and_the_unit_it_writes_verifies()
    {
        var prefix = Directory.CreateTempSubdirectory("terminus-prefix-").FullName;
        var units = Directory.CreateTempSubdirectory("terminus-units-").FullName;
        try
        {
            var install = await ProcessRunner.RunAsync("bash", [Path.Combine(ItEnvironment.RepoRoot, "scripts", "install.sh"), prefix], TimeSpan.FromMinutes(5),
                new Dictionary<string, string> { ["BINDIR"] = "none", ["SYSTEMD_DIR"] = units });
            Assert.True(install.ExitCode == 0, install.StdOut + install.StdErr);
            foreach (var command in new[] { "terminus", "terminus-daemon", "terminus_config", "terminus_datasource_cfg" })
                Assert.True(File.Exists(Path.Combine(prefix, "bin", command)), command);
            var help = await ProcessRunner.RunAsync(Path.Combine(prefix, "bin", "terminus"), ["help"], TimeSpan.FromSeconds(60));
            Assert.Contains("Usage:\n  terminus [command] [options]", help.StdOut);
            var unit = Path.Combine(units, "terminus@.service");
            Assert.Contains($"{prefix}/lib/terminus-daemon.dll", File.ReadAllText(unit));
            var verify = await ProcessRunner.RunAsync("systemd-analyze", ["verify", unit], TimeSpan.FromSeconds(30));
            Assert.True(verify.ExitCode == 0 && verify.StdOut.Length + verify.StdErr.Length == 0, verify.StdOut + verify.StdErr);
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
            Directory.Delete(units, recursive: true);
        }
    }
}
