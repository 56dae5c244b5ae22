using System.Net.Security;
using Terminus.Actors.Amqp;
using Terminus.Core.Configuration;

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
    }

    [Fact]
    public void A_plain_connection_has_no_tls()
    {
        var factory = AmqpConnections.CreateFactory(new BrokerSettings("localhost", 5672, "/", "u", "p", UseTls: false));
        Assert.False(factory.Ssl.Enabled);
    }
}
