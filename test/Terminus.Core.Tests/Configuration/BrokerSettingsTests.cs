using Terminus.Core.Configuration;

namespace Terminus.Core.Tests.Configuration;

public class BrokerSettingsTests
{
    // What RabbitMQ.Client's ConnectionFactory.Uri does with a URI: user:password from UserInfo,
    // vhost from the single path segment, each URL-decoded.
    private static (string User, string Password, string VirtualHost) ParseLikeRabbitMqClient(Uri uri)
    {
        string[] userInfo = uri.UserInfo.Split(':');
        Assert.Equal(2, userInfo.Length);
        Assert.Equal(2, uri.Segments.Length);
        return (Uri.UnescapeDataString(userInfo[0]), Uri.UnescapeDataString(userInfo[1]), Uri.UnescapeDataString(uri.Segments[1]));
    }

    [Theory]
    [InlineData("terminus", "secret", "galactica")]
    [InlineData("terminus", "p@ss:w/rd", "/")]
    [InlineData("us er@lab:x", "%41 #?&=+[]!$'\"é", "galactica/prod")]
    [InlineData("u", "p", "/terminus")]
    public void Uri_round_trips_user_password_and_vhost(string user, string password, string vhost)
    {
        var broker = new BrokerSettings("rabbit.example.org", 5672, vhost, user, password, UseTls: false);

        Uri uri = new(broker.ToUri().AbsoluteUri);

        Assert.Equal("amqp", uri.Scheme);
        Assert.Equal("rabbit.example.org", uri.Host);
        Assert.Equal(5672, uri.Port);
        Assert.Equal((user, password, vhost), ParseLikeRabbitMqClient(uri));
    }

    [Fact]
    public void Default_vhost_is_encoded_as_percent_2F()
    {
        var broker = new BrokerSettings("10.0.0.1", 5672, "/", "u", "p@ss:w/rd", UseTls: false);

        Uri uri = broker.ToUri();

        Assert.Equal("/%2F", uri.AbsolutePath);
        Assert.Equal("u:p%40ss%3Aw%2Frd", uri.UserInfo);
        Assert.Equal("amqp://u:p%40ss%3Aw%2Frd@10.0.0.1:5672/%2F", uri.AbsoluteUri);
    }

    [Fact]
    public void Tls_gives_amqps()
    {
        var broker = new BrokerSettings("rabbit.example.org", 5671, "galactica", "u", "p", UseTls: true);

        Assert.Equal("amqps://u:p@rabbit.example.org:5671/galactica", broker.ToUri().AbsoluteUri);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("2001:db8::42")]
    public void Ipv6_hosts_are_bracketed(string host)
    {
        Uri uri = new BrokerSettings(host, 5672, "/", "u", "p", UseTls: false).ToUri();

        Assert.Equal(UriHostNameType.IPv6, uri.HostNameType);
        Assert.Equal($"[{host}]", uri.Host);
        Assert.Equal(5672, uri.Port);
    }

    [Fact]
    public void Describe_and_ToString_mask_the_password()
    {
        var broker = new BrokerSettings("rabbit", 5672, "/", "terminus", "s3cr3t!", UseTls: false);

        Assert.Equal("amqp://terminus:***@rabbit:5672/%2F", broker.Describe());
        Assert.Equal(broker.Describe(), broker.ToString());
        Assert.DoesNotContain("s3cr3t", $"{broker}", StringComparison.Ordinal);
    }
}

public class BrokerPlainTextTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST.")]
    [InlineData("rabbit.localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void A_broker_on_this_machine_without_tls_is_quiet(string host) =>
        Assert.Null(new BrokerSettings(host, 5672, "/", "u", "p", UseTls: false).PlainTextWarning());

    [Theory]
    [InlineData("rabbit.galactica.example")]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.2")]
    [InlineData("2001:db8::1")]
    [InlineData("localhost.example.org")]
    public void Any_other_broker_without_tls_warns_that_the_password_crosses_in_clear(string host)
    {
        var warning = new BrokerSettings(host, 5672, "/", "u", "p", UseTls: false).PlainTextWarning();
        Assert.Contains($"the broker {host}:5672 is reached without TLS", warning);
        Assert.Contains("password", warning);
        Assert.Null(new BrokerSettings(host, 5671, "/", "u", "p", UseTls: true).PlainTextWarning());
    }
}
