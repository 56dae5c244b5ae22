using System.Net.Security;
using Terminus.Actors.Amqp;
using Terminus.Core.Configuration;
using Terminus.Tests.Shared;

namespace Terminus.Actors.Tests.Amqp;

public sealed class AmqpConnectionsTests
{
    [Fact]
    public void A_tls_connection_accepts_no_certificate_error_not_even_a_name_that_is_not_the_broker_s()
    {
        var factory = AmqpConnections.CreateFactory(new BrokerSettings("rabbit.galactica.example", 5671, "galactica", "u", "p", UseTls: true));
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal("rabbit.galactica.example", factory.Ssl.ServerName);
        Assert.Equal(SslPolicyErrors.None, factory.Ssl.AcceptablePolicyErrors); // RabbitMQ.Client's amqps:// default accepts any name
        Assert.NotNull(factory.Ssl.CertificateValidationCallback); // ours: it says why it refuses (BrokerCertificateValidatorTests)
        Assert.Null(factory.Ssl.Certs);
    }

    [Fact]
    public void A_client_certificate_is_offered_with_its_key()
    {
        using var ca = TestCertificates.Ca();
        using var client = TestCertificates.Server(ca, ["terminus.lab.example"], commonName: "terminus-client");
        var dir = Directory.CreateTempSubdirectory("terminus-tls-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "c.pem"), TestCertificates.Pem(client));
            File.WriteAllText(Path.Combine(dir, "c.key"), TestCertificates.KeyPem(client));
            var files = new BrokerTlsFiles(null, Path.Combine(dir, "c.pem"), Path.Combine(dir, "c.key"));
            var factory = AmqpConnections.CreateFactory(new BrokerSettings("rabbit.lab.example", 5671, "galactica", "u", "p", UseTls: true, files));
            var offered = Assert.IsType<System.Security.Cryptography.X509Certificates.X509Certificate2>(Assert.Single(factory.Ssl.Certs!));
            Assert.Equal("CN=terminus-client", offered.Subject);
            Assert.True(offered.HasPrivateKey);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_plain_connection_has_no_tls()
    {
        var factory = AmqpConnections.CreateFactory(new BrokerSettings("localhost", 5672, "/", "u", "p", UseTls: false));
        Assert.False(factory.Ssl.Enabled);
    }
}
