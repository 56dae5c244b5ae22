using System.Globalization;

namespace Terminus.Core.Configuration;

/// <summary>
/// RabbitMQ connection settings. 0.7 pasted them raw into "amqp://user:pwd@host:port/vhost" (no URL encoding, no TLS),
/// which broke on special characters; here every part is URL-encoded, and amqps:// is available.
/// </summary>
public sealed record BrokerSettings(string Host, int Port, string VirtualHost, string UserName, string Password, bool UseTls)
{
    /// <summary>The AMQP URI, as RabbitMQ.Client's ConnectionFactory.Uri expects it (it URL-decodes each part).</summary>
    public Uri ToUri() => new(Format(Uri.EscapeDataString(Password)));

    /// <summary>The same URI with the password masked, for logs.</summary>
    public string Describe() => Format("***");

    // Never let the password reach a log through the record's generated ToString().
    public override string ToString() => Describe();

    private string Format(string encodedPassword)
    {
        string scheme = UseTls ? "amqps" : "amqp";
        // An IPv6 literal needs brackets in a URI; accept it with or without them.
        string host = Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('[') ? $"[{Host}]" : Host;
        // The vhost is one path segment: "/" becomes "%2F" (RabbitMQ's default vhost).
        return string.Create(CultureInfo.InvariantCulture,
            $"{scheme}://{Uri.EscapeDataString(UserName)}:{encodedPassword}@{host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
    }
}
