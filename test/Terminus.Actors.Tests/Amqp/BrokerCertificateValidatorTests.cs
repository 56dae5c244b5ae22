using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Terminus.Actors.Amqp;
using Terminus.Core.Configuration;
using Terminus.Tests.Shared;

namespace Terminus.Actors.Tests.Amqp;

/// <summary>
/// The check every AMQPS handshake goes through, given what the TLS stack saw (the system's verdict as
/// <see cref="SslPolicyErrors"/>). The real handshakes, against a RabbitMQ with a TLS listener, are in the integration tests.
/// </summary>
public sealed class BrokerCertificateValidatorTests : IDisposable
{
    private readonly X509Certificate2 _labCa = TestCertificates.Ca("Lab CA");
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-tls-").FullName;

    public void Dispose()
    {
        _labCa.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private BrokerTlsFiles CaFile(params X509Certificate2[] cas)
    {
        var path = Path.Combine(_dir, $"ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, string.Join("\n", cas.Select(TestCertificates.Pem)) + "\n");
        return new BrokerTlsFiles(path, null, null);
    }

    [Fact]
    public void The_right_name_from_a_ca_of_the_ca_file_is_accepted_although_the_system_does_not_trust_it()
    {
        using var broker = TestCertificates.Server(_labCa, ["rabbit.lab.example"]);
        var validator = new BrokerCertificateValidator("rabbit.lab.example", CaFile(TestCertificates.Ca("Unrelated CA"), _labCa));
        Assert.True(validator.Validate(this, broker, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Equal("CN=broker", validator.LastSeen!.Subject);
    }

    [Fact]
    public void The_intermediate_the_broker_sent_links_its_certificate_to_the_root_of_the_ca_file()
    {
        using var issuing = TestCertificates.Ca("Lab Issuing CA", issuer: _labCa);
        using var broker = TestCertificates.Server(issuing, ["rabbit.lab.example"]);
        using var sent = new X509Chain(); // as the TLS stack hands it over: what the broker sent is in its extra store
        sent.ChainPolicy.ExtraStore.Add(issuing);
        var validator = new BrokerCertificateValidator("rabbit.lab.example", CaFile(_labCa));
        Assert.True(validator.Validate(this, broker, sent, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Throws<BrokerCertificateException>(() => validator.Validate(this, broker, new X509Chain(), SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void A_certificate_the_system_trusts_needs_no_ca_file()
    {
        using var broker = TestCertificates.Server(_labCa, ["rabbit.lab.example"]);
        Assert.True(new BrokerCertificateValidator("rabbit.lab.example", BrokerTlsFiles.None).Validate(this, broker, null, SslPolicyErrors.None));
    }

    [Fact]
    public void A_name_not_in_the_certificate_is_refused_even_when_the_tls_stack_saw_no_error()
    {
        using var broker = TestCertificates.Server(_labCa, ["localhost"]);
        var validator = new BrokerCertificateValidator("127.0.0.1", BrokerTlsFiles.None);
        var refused = Assert.Throws<BrokerCertificateException>(() => validator.Validate(this, broker, null, SslPolicyErrors.None));
        Assert.Equal("the broker's certificate does not name 127.0.0.1 (RABBITMQ_HOST): an IP address must be among its IP addresses, and it names DNS:localhost", refused.Message);
    }

    [Fact]
    public void An_untrusted_certificate_is_refused_with_a_hint_at_the_ca_file()
    {
        using var broker = TestCertificates.Server(_labCa, ["rabbit.lab.example"]);
        var refused = Assert.Throws<BrokerCertificateException>(() =>
            new BrokerCertificateValidator("rabbit.lab.example", BrokerTlsFiles.None).Validate(this, broker, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.StartsWith("the broker's certificate (issued by CN=Lab CA) is not trusted: ", refused.Message);
        Assert.EndsWith("if the broker's CA is the lab's or the portal's own, give it in RABBITMQ_TLS_CA_FILE", refused.Message);
    }

    [Fact]
    public void A_certificate_from_a_ca_the_ca_file_does_not_hold_is_refused()
    {
        using var broker = TestCertificates.Server(_labCa, ["rabbit.lab.example"]);
        var files = CaFile(TestCertificates.Ca("Other CA"));
        var refused = Assert.Throws<BrokerCertificateException>(() =>
            new BrokerCertificateValidator("rabbit.lab.example", files).Validate(this, broker, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains($"nor those of RABBITMQ_TLS_CA_FILE {files.CaFile} (", refused.Message);
    }

    [Fact]
    public void No_certificate_at_all_is_refused() =>
        Assert.Equal("the broker showed no certificate", Assert.Throws<BrokerCertificateException>(() =>
            new BrokerCertificateValidator("rabbit.lab.example", BrokerTlsFiles.None).Validate(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable)).Message);

    [Fact]
    public void The_refusal_reaches_the_log_line_through_whatever_the_client_wrapped_it_in()
    {
        var wrapped = new RabbitMQ.Client.Exceptions.BrokerUnreachableException(
            new System.Security.Authentication.AuthenticationException("handshake", new BrokerCertificateException("the broker's certificate does not name 'x'")));
        Assert.Equal("the broker's certificate does not name 'x'", AmqpConnections.Explain(wrapped, "q"));
    }
}
