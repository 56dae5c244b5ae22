using System.Globalization;
using Terminus.Core.Jobs;
using Terminus.Core.Operator;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests;

/// <summary>
/// AMQPS against the real broker's TLS listener (scripts/ci/rmq-up.sh): its certificate names <c>localhost</c> only and
/// comes from a CA made by openssl when the broker started; the other CAs and certificates here are made by openssl
/// at test time, and the broker is made to present them (<see cref="BrokerTls.PresentAsync"/>).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class TlsTests(PortalWorker portal, ITestOutputHelper output) : IAsyncLifetime
{
    private static long _nextJobId = 8_700_000_000L + Random.Shared.Next(0, 1_000_000) * 100L;

    private readonly SiteDaemons _daemons = new(new TestSite(), output);
    private BrokerTls _tls = null!;
    private TestSite Site => _daemons.Site;

    public async Task InitializeAsync()
    {
        _tls = new BrokerTls(Directory.CreateDirectory(Path.Combine(Site.Root, "tls")).FullName);
        await Harness.DeclareAsync(Site.HostName);
    }

    public async Task DisposeAsync()
    {
        await _daemons.DisposeAsync();
        await _tls.DisposeAsync();
    }

    /// <summary>The daemon's settings for AMQPS to <paramref name="host"/>, trusting <paramref name="caFile"/> (the broker's CA by default).</summary>
    private static Dictionary<string, string> Amqps(string host = "localhost", string? caFile = null) => new()
    {
        ["RABBITMQ_HOST"] = host,
        ["RABBITMQ_PORT"] = ItEnvironment.AmqpsPort.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_USE_TLS"] = "1",
        ["RABBITMQ_TLS_CA_FILE"] = caFile ?? BrokerTls.BrokerCa.Cert,
    };

    private async Task<string> CheckAsync(IReadOnlyDictionary<string, string> settings)
    {
        var env = Site.Environment();
        foreach (var (k, v) in settings) env[k] = v;
        var check = await TerminusCli.RunAsync(env, "check", "--skip-ssh");
        output.WriteLine(check.StdOut);
        return check.StdOut;
    }

    private static string TlsLine(string checkOutput) =>
        checkOutput.Split('\n').Single(l => l.Contains($" {BrokerTlsCheck.What}: ", StringComparison.Ordinal)).Trim();

    /// <summary>The connections the broker holds for this site's daemon, with whether each is TLS and the client certificate's subject.</summary>
    private async Task<List<(string Name, bool Ssl, string PeerSubject)>> BrokerConnectionsAsync()
    {
        // The client's name is in its properties: [...,{"connection_name","terminus-jobs@<host>"},...]
        var listed = await Harness.RabbitCtlAsync("list_connections", "--quiet", "--no-table-headers", "client_properties", "ssl", "peer_cert_subject");
        return listed.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries))
            .Where(c => c.Length == 3)
            .Select(c => (Name: System.Text.RegularExpressions.Regex.Match(c[0], "\"connection_name\",\"([^\"]*)\"").Groups[1].Value, Ssl: c[1] == "true", PeerSubject: c[2]))
            .Where(c => c.Name.EndsWith("@" + Site.HostName, StringComparison.Ordinal))
            .ToList();
    }

    [Fact]
    public async Task With_the_right_name_and_the_ca_file_probes_and_a_job_go_over_tls()
    {
        await _daemons.StartAsync(Amqps());

        var probe = await Harness.SendProbeAsync(Site.HostName);
        await portal.WaitForOnlineAsync(Site.HostName, probe, TimeSpan.FromSeconds(30));
        var id = Interlocked.Increment(ref _nextJobId);
        await Harness.SendJobAsync(Site.HostName, TestSite.JobArgs(id), """{"npix": 16, "test": false}""");
        var statuses = await portal.TerminalStatusesAsync(id, TimeSpan.FromSeconds(90), output);
        Assert.Equal(JobStatuses.Uploaded, statuses[^1].Status);
        File.Delete(Path.Combine(ItEnvironment.StorageDir, $"{id}_density_map.tar.gz"));

        // Every connection of the daemon is TLS: both consumers, and the publishers of probe answers (terminus-monitor) and statuses.
        var connections = await BrokerConnectionsAsync();
        output.WriteLine(string.Join("\n", connections));
        Assert.Equal(["terminus-jobs", "terminus-monitor", "terminus-monitor", "terminus-status"],
            connections.Select(c => c.Name.Split('@')[0]).Order().ToArray());
        Assert.All(connections, c => Assert.True(c.Ssl, $"{c.Name} is not TLS"));

        // The certificate's expiry, for an alert.
        using var brokerCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            await File.ReadAllTextAsync(Path.Combine(ItEnvironment.BrokerTlsDir, "server.pem")));
        var samples = MetricSample.Parse(await Site.ScrapeMetricsAsync());
        Assert.Equal(new DateTimeOffset(brokerCertificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
            samples.Single(m => m.Name == "terminus_broker_certificate_expiry_timestamp_seconds").Value);
    }

    [Fact]
    public async Task An_ip_address_not_in_the_certificate_is_refused_with_the_reason()
    {
        var daemon = _daemons.Launch(Amqps(host: "127.0.0.1"));
        await daemon.WaitForOutputAsync($"Consumer of {Site.HostName}.terminus_jobs stopped: the broker's certificate does not name 127.0.0.1 (RABBITMQ_HOST): " +
            "an IP address must be among its IP addresses, and it names DNS:localhost; reconnecting with backoff", TimeSpan.FromSeconds(60));
        Assert.Empty(await BrokerConnectionsAsync());
        Assert.Equal(0, (await Harness.QueueStateAsync($"{Site.HostName}.terminus_jobs")).Consumers);
    }

    [Fact]
    public async Task A_dns_name_not_in_the_certificate_is_refused_with_the_reason()
    {
        await _tls.PresentAsync(await _tls.IssueAsync("broker.galactica.test", "DNS:broker.galactica.test", days: 30));

        var daemon = _daemons.Launch(Amqps());
        await daemon.WaitForOutputAsync($"Consumer of {Site.HostName}.monitor stopped: the broker's certificate does not name 'localhost' (RABBITMQ_HOST): " +
            "it names DNS:broker.galactica.test; reconnecting with backoff", TimeSpan.FromSeconds(60));
        Assert.Empty(await BrokerConnectionsAsync());
    }

    [Fact]
    public async Task A_certificate_from_a_ca_that_is_not_trusted_is_refused()
    {
        var otherCa = await _tls.NewCaAsync("Some other CA");

        var daemon = _daemons.Launch(Amqps(caFile: otherCa.Cert));
        await daemon.WaitForOutputAsync($"Consumer of {Site.HostName}.terminus_jobs stopped: the broker's certificate (issued by CN=Terminus CI broker CA) is not trusted: " +
            $"neither the system's CAs (", TimeSpan.FromSeconds(60));
        Assert.Contains($") nor those of RABBITMQ_TLS_CA_FILE {otherCa.Cert} (", daemon.Output);
        Assert.Empty(await BrokerConnectionsAsync());

        // Without a CA file: the system's store alone does not know the broker's CA either.
        var settings = Amqps();
        settings.Remove("RABBITMQ_TLS_CA_FILE");
        var line = TlsLine(await CheckAsync(settings));
        Assert.StartsWith("[FAIL] broker TLS: on, refused: the broker's certificate (issued by CN=Terminus CI broker CA) is not trusted: ", line);
        Assert.Contains("give it in RABBITMQ_TLS_CA_FILE; certificate CN=localhost, names DNS:localhost", line);
    }

    [Fact]
    public async Task The_system_store_still_trusts_what_ssl_cert_file_adds_without_a_ca_file()
    {
        var settings = Amqps();
        settings.Remove("RABBITMQ_TLS_CA_FILE");
        settings["SSL_CERT_FILE"] = BrokerTls.BrokerCa.Cert;
        Assert.StartsWith("[ ok ] broker TLS: on, certificate CN=localhost", TlsLine(await CheckAsync(settings)));
    }

    [Fact]
    public async Task A_client_certificate_is_shown_to_a_broker_that_verifies_it()
    {
        var client = await _tls.IssueAsync("terminus-it-client", "DNS:terminus.lab.test", days: 30, usage: "clientAuth");
        var settings = Amqps();
        settings["RABBITMQ_TLS_CERT_FILE"] = client.Cert;
        settings["RABBITMQ_TLS_KEY_FILE"] = client.Key;

        await _daemons.StartAsync(settings);

        var connections = await BrokerConnectionsAsync();
        output.WriteLine(string.Join("\n", connections));
        Assert.Contains(connections, c => c.Name.StartsWith("terminus-jobs@", StringComparison.Ordinal));
        Assert.All(connections, c => Assert.Equal("CN=terminus-it-client", c.PeerSubject));
    }

    [Fact]
    public async Task Terminus_check_shows_tls_off_or_the_certificate_and_warns_near_its_expiry()
    {
        Assert.Equal("[ ok ] broker TLS: off (the broker is on this machine: nothing crosses the network)", TlsLine(await CheckAsync(new Dictionary<string, string>())));

        var on = TlsLine(await CheckAsync(Amqps()));
        Assert.Matches(@"^\[ ok \] broker TLS: on, certificate CN=localhost, names DNS:localhost, issued by CN=Terminus CI broker CA, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+ days left\)$", on);

        await _tls.PresentAsync(await _tls.IssueAsync("soon-expired", "DNS:localhost", days: 10));
        var soon = TlsLine(await CheckAsync(Amqps()));
        Assert.StartsWith("[warn] broker TLS: on, certificate CN=soon-expired, names DNS:localhost, issued by CN=Terminus CI broker CA: expires ", soon);
        Assert.EndsWith(", in 9 day(s): ask the broker's admins for a renewed certificate now", soon);
    }
}
