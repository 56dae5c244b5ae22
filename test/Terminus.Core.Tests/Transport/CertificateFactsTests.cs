using Terminus.Core.Transport;
using Terminus.Tests.Shared;

namespace Terminus.Core.Tests.Transport;

public sealed class CertificateFactsTests
{
    private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Ca = TestCertificates.Ca();

    private static CertificateFacts For(params string[] names)
    {
        using var certificate = TestCertificates.Server(Ca, names);
        return CertificateFacts.Of(certificate);
    }

    [Fact]
    public void Its_names_subject_issuer_and_expiry_are_read()
    {
        var facts = For("rabbit.galactica.example", "10.0.0.5", "::1");
        Assert.Equal("CN=broker", facts.Subject);
        Assert.Equal("CN=Test Lab CA", facts.Issuer);
        Assert.Equal("DNS:rabbit.galactica.example, IP Address:10.0.0.5, IP Address:::1", facts.Names);
        Assert.InRange(facts.DaysLeft(DateTimeOffset.UtcNow), 363, 365);
    }

    [Theory]
    [InlineData("rabbit.galactica.example")]
    [InlineData("RABBIT.Galactica.example")] // DNS names ignore case
    [InlineData("rabbit.galactica.example.")] // a fully qualified name is the same name
    [InlineData("10.0.0.5")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("node7.lab.example")] // *.lab.example stands for one label
    public void A_host_among_its_names_is_named(string host) =>
        Assert.Null(For("rabbit.galactica.example", "10.0.0.5", "::1", "*.lab.example").NameMismatch(host));

    [Theory]
    [InlineData("galactica.example")]
    [InlineData("other.galactica.example")]
    [InlineData("lab.example")] // the wildcard's label cannot be empty
    [InlineData("a.node7.lab.example")] // nor two labels
    [InlineData("10.0.0.6")]
    [InlineData("127.0.0.1")]
    public void A_host_not_among_its_names_is_not(string host) =>
        Assert.NotNull(For("rabbit.galactica.example", "10.0.0.5", "::1", "*.lab.example").NameMismatch(host));

    [Fact]
    public void An_ip_address_is_not_matched_by_a_dns_name_spelling_it_nor_a_wildcard_for_a_whole_domain_level()
    {
        Assert.NotNull(For("127.0.0.1.nip.example", "*.example").NameMismatch("127.0.0.1"));
        Assert.NotNull(For("*.example").NameMismatch("a.example")); // "*.example" would stand for a whole top-level domain
    }

    [Fact]
    public void The_refusal_says_which_name_was_expected_and_which_names_it_holds()
    {
        Assert.Equal("the broker's certificate does not name 'wrongname.test' (RABBITMQ_HOST): it names DNS:localhost",
            For("localhost").NameMismatch("wrongname.test"));
        Assert.Equal("the broker's certificate does not name 127.0.0.1 (RABBITMQ_HOST): an IP address must be among its IP addresses, and it names DNS:localhost",
            For("localhost").NameMismatch("127.0.0.1"));
    }

    [Fact]
    public void A_common_name_alone_names_nothing()
    {
        using var certificate = TestCertificates.Server(Ca, [], commonName: "localhost");
        var facts = CertificateFacts.Of(certificate);
        Assert.Equal("no subject alternative name", facts.Names);
        Assert.Equal("the broker's certificate does not name 'localhost' (RABBITMQ_HOST): it names no subject alternative name", facts.NameMismatch("localhost"));
    }
}
