using System.Net;
using Terminus.Core.Configuration;
using Terminus.Core.Operator;
using Terminus.Core.Transport;

namespace Terminus.Core.Tests.Operator;

public sealed class BrokerTlsCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static BrokerSettings Broker(string host, bool tls) => new(host, tls ? 5671 : 5672, "galactica", "u", "p", tls);

    private static CertificateFacts Certificate(DateTimeOffset notAfter) =>
        new("CN=rabbit.galactica.example", "CN=Galactica CA", ["rabbit.galactica.example"], [IPAddress.Parse("10.0.0.5")], notAfter);

    [Fact]
    public void Tls_off_to_this_machine_is_ok()
    {
        Assert.Equal((CheckVerdict.Ok, "off (the broker is on this machine: nothing crosses the network)"),
            BrokerTlsCheck.Describe(Broker("localhost", tls: false), null, null, Now));
    }

    [Fact]
    public void Tls_off_over_the_network_warns_that_the_password_crosses_in_clear()
    {
        var (verdict, detail) = BrokerTlsCheck.Describe(Broker("rabbit.galactica.example", tls: false), null, null, Now);
        Assert.Equal(CheckVerdict.Warn, verdict);
        Assert.StartsWith("off: the broker rabbit.galactica.example:5672 is reached without TLS (RABBITMQ_USE_TLS=0): its password", detail);
        Assert.EndsWith("docs/operations.md, \"Switch to AMQPS\", tells how", detail);
    }

    [Fact]
    public void Tls_on_shows_the_certificate_s_subject_names_issuer_and_days_left()
    {
        Assert.Equal((CheckVerdict.Ok, "on, certificate CN=rabbit.galactica.example, names DNS:rabbit.galactica.example, IP Address:10.0.0.5, issued by CN=Galactica CA, expires 2027-12-03 12:00 UTC (365 days left)"),
            BrokerTlsCheck.Describe(Broker("rabbit.galactica.example", tls: true), Certificate(Now.AddDays(365)), null, Now));
    }

    [Theory]
    [InlineData(29.9, 29)]
    [InlineData(3, 3)]
    [InlineData(0.5, 0)]
    public void A_certificate_expiring_within_30_days_warns(double daysLeft, int shown)
    {
        var (verdict, detail) = BrokerTlsCheck.Describe(Broker("rabbit.galactica.example", tls: true), Certificate(Now.AddDays(daysLeft)), null, Now);
        Assert.Equal(CheckVerdict.Warn, verdict);
        Assert.EndsWith($", in {shown} day(s): ask the broker's admins for a renewed certificate now", detail);
    }

    [Fact]
    public void Thirty_days_left_is_still_ok() =>
        Assert.Equal(CheckVerdict.Ok, BrokerTlsCheck.Describe(Broker("rabbit.galactica.example", tls: true), Certificate(Now.AddDays(30)), null, Now).Verdict);

    [Fact]
    public void A_refused_certificate_fails_with_the_reason_and_what_it_is()
    {
        Assert.Equal((CheckVerdict.Fail, "on, refused: it is not trusted; certificate CN=rabbit.galactica.example, names DNS:rabbit.galactica.example, IP Address:10.0.0.5, issued by CN=Galactica CA, expires 2027-12-03 12:00 UTC"),
            BrokerTlsCheck.Describe(Broker("rabbit.galactica.example", tls: true), Certificate(Now.AddDays(365)), "it is not trusted", Now));
    }

    [Fact]
    public void A_broker_never_reached_fails()
    {
        Assert.Equal((CheckVerdict.Fail, "on, but no certificate was seen: the broker was not reached"),
            BrokerTlsCheck.Describe(Broker("rabbit.galactica.example", tls: true), null, null, Now));
    }
}
