using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using Terminus.Core.Jobs;
using Terminus.Core.Operator;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// What a sysadmin sees of the daemon: its /metrics scraped by Debian's real Prometheus, the exposition format checked
/// by Prometheus's own promtool, <c>terminus check</c> asking the running daemon, and the logs' priorities and JSON.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class TelemetryTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private static long _nextJobId = 8_500_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly SiteDaemons _daemons = new(new TestSite(), output);
    private TestSite Site => _daemons.Site;

    public Task InitializeAsync() => Harness.DeclareAsync(Site.HostName);

    public async Task DisposeAsync() => await _daemons.DisposeAsync();

    private async Task<long> SubmitAsync(string service, string kwargs)
    {
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id, service: service), kwargs);
        return id;
    }

    [Fact]
    public async Task Prometheus_scraping_the_daemon_counts_the_finished_job_and_its_time_per_phase()
    {
        await _daemons.StartAsync();
        var port = TestSite.FreePort();
        var config = Path.Combine(Site.Root, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: terminus
                static_configs:
                  - targets: ["127.0.0.1:{Site.MetricsPort}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(Site.Root, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}"])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var prometheusLog = new System.Text.StringBuilder();
        prometheus.ErrorDataReceived += (_, e) => { lock (prometheusLog) prometheusLog.AppendLine(e.Data); };
        prometheus.BeginErrorReadLine();
        try
        {
            var id = await SubmitAsync("density_map", """{"npix": 16, "test": false}""");
            var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
            Assert.Equal(JobStatuses.Uploaded, statuses[^1].Status);
            File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_density_map.tar.gz"));

            async Task<double?> Query(string promql)
            {
                try
                {
                    var json = await Http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(promql)}");
                    var result = JsonDocument.Parse(json).RootElement.GetProperty("data").GetProperty("result");
                    return result.GetArrayLength() == 0 ? null
                        : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException) { return null; } // not listening yet
            }
            async Task Expect(string promql, double value)
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                double? seen;
                while ((seen = await Query(promql)) != value)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        lock (prometheusLog) output.WriteLine(prometheusLog.ToString());
                        Assert.Fail($"Prometheus: {promql} = {seen?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} after 60 s, expected {value}");
                    }
                    await Task.Delay(250);
                }
            }
            await Expect("up{job=\"terminus\"}", 1);
            await Expect("terminus_jobs_finished_total{status=\"uploaded\"}", 1);
            await Expect("terminus_jobs_received_total", 1);
            foreach (var phase in new[] { "queued", "pending", "running", "packaging", "uploading" })
                await Expect($"terminus_job_phase_duration_seconds_count{{phase=\"{phase}\"}}", 1);
            await Expect("sum(terminus_jobs)", 0); // nothing held once it retired
            await Expect("terminus_statuses_published_total", 4);
            Assert.True(await Query("terminus_upload_bytes_total") > 0, "the upload's bytes are counted");
        }
        finally
        {
            if (!prometheus.HasExited) prometheus.Kill();
            await prometheus.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_plain_scrape_is_valid_exposition_format_with_no_label_taken_from_a_message()
    {
        await _daemons.StartAsync();
        // A request for a service that is not installed, with a job id: neither may become a label value.
        var id = await SubmitAsync("not_installed_service", """{"test": false}""");
        await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output);
        var exposition = await Site.ScrapeMetricsAsync();

        var check = await ProcessRunner.RunAsync("bash", ["-c", "promtool check metrics < \"$0\"", WriteTemp(exposition)], TimeSpan.FromSeconds(30));
        output.WriteLine(check.StdOut + check.StdErr);
        Assert.Equal(0, check.ExitCode);

        var samples = MetricSample.Parse(exposition);
        Assert.Contains(samples, s => s.Name == "process_cpu_seconds_total");
        Assert.Contains(samples, s => s.Name == "terminus_consuming" && s.Labels["queue"] == "jobs" && s.Value == 1);
        Assert.Equal(1, samples.Single(s => s.Name == "terminus_jobs_finished_total" && s.Labels["status"] == "failed").Value);
        Assert.DoesNotContain(samples, s => s.Labels.Values.Any(v => v.Contains("not_installed") || v.Contains(id.ToString(CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task Terminus_check_asks_the_running_daemon_how_it_is()
    {
        await _daemons.StartAsync();
        var check = await TerminusCli.RunAsync(Site.Environment(), "check", "--skip-ssh");
        output.WriteLine(check.StdOut);
        Assert.Contains("[ ok ] daemon: running, consuming the job and monitor queues, 0 job(s) held", check.StdOut);
        Assert.Contains("[ ok ] daemon broker: connected (", check.StdOut);
        Assert.Contains("[ ok ] daemon statuses: every status confirmed by the broker", check.StdOut);
        Assert.Contains("[ ok ] daemon ledger: writable; taking jobs", check.StdOut);
    }

    [Fact]
    public async Task Under_systemd_json_log_lines_carry_their_syslog_priority_and_each_parses()
    {
        var daemon = _daemons.Launch(new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345", ["TERMINUS_LOG_FORMAT"] = "json" });
        foreach (var queue in new[] { $"{Site.HostName}.terminus_jobs", $"{Site.HostName}.monitor" }) // its log is JSON: the broker says when it consumes
            await Eventually.TrueAsync(async () => (await Harness.QueueStateAsync(queue)).Consumers == 1, $"the daemon consumes {queue}", TimeSpan.FromSeconds(60));
        var id = await SubmitAsync("not_installed_service", """{"test": false}""");
        await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output);
        await Eventually.TrueAsync(() => daemon.Output.Split('\n').Any(l => l.Contains("status {1} delivered") && l.Contains($"{id}")),
            "the failed status was delivered (as its JSON line says)");

        var lines = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('<')).ToList(); // the host's own lines before logging starts are plain
        Assert.NotEmpty(lines);
        var events = lines.Select(l =>
        {
            Assert.Matches("^<[0-7]>\\{", l);
            using var json = JsonDocument.Parse(l[3..]);
            var e = json.RootElement;
            var rendered = e.GetProperty("@mt").GetString()!;
            return (Priority: l[1] - '0', Level: e.TryGetProperty("@l", out var level) ? level.GetString() : "Information", Text: rendered, Json: e.Clone());
        }).ToList();
        Assert.Contains(events, e => e.Priority == 6 && e.Level == "Information");
        var warning = Assert.Single(events, e => e.Priority == 4 && e.Json.ToString().Contains($"{id}") && e.Json.ToString().Contains("not_installed_service"));
        Assert.Equal("Warning", warning.Level);
        Assert.All(events, e => Assert.Equal(e.Level switch { "Error" => 3, "Warning" => 4, "Fatal" => 2, "Information" => 6, _ => 7 }, e.Priority));
        // The daily file holds the same JSON lines, without the prefix.
        var file = Directory.GetFiles(Site.LogDir, "terminus-*.log").Single();
        Assert.All(File.ReadAllLines(file).Where(l => l.Length > 0), l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task Under_systemd_text_log_lines_start_with_their_priority()
    {
        var daemon = await _daemons.StartAsync(new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" });
        var id = await SubmitAsync("not_installed_service", """{"test": false}""");
        await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(60), output);
        await daemon.WaitForOutputAsync($"Job #{id}: status failed delivered", TimeSpan.FromSeconds(30));
        var lines = daemon.Output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith($"<4>[WRN] Job #{id}: failed: Post-processing service 'not_installed_service' is not available.", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"<6>[INF] Job #{id}: received", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broker_reached_without_tls_over_the_network_is_one_warning_at_start_up()
    {
        // Not resolvable: the daemon keeps trying to connect, but says at once that this would be in clear.
        var daemon = _daemons.Launch(new Dictionary<string, string> { ["RABBITMQ_HOST"] = "broker.invalid" });
        await daemon.WaitForOutputAsync("WRN] Configuration: the broker broker.invalid:5672 is reached without TLS", TimeSpan.FromSeconds(60));
        Assert.Contains("is reached without TLS (RABBITMQ_USE_TLS=0): its password, the job requests and the statuses cross the network in clear", daemon.Output);
        daemon.Terminate();
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.DoesNotContain("without TLS", (await _daemons.StartAsync()).Output); // localhost: quiet
    }

    private string WriteTemp(string text)
    {
        var path = Path.Combine(Site.Root, "scrape.txt");
        File.WriteAllText(path, text);
        return path;
    }
}
