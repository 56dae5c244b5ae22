using System.Globalization;

namespace Terminus.Core.Configuration;

/// <summary>
/// RabbitMQ connection settings. 0.7 pasted them raw into "amqp://user:pwd@host:port/vhost" (no URL encoding, no TLS),
/// which broke on special characters; here every part is URL-encoded, and amqps:// is available, with a CA file and a
/// client certificate of its own (<see cref="BrokerTlsFiles"/>).
/// </summary>
public sealed record BrokerSettings(string Host, int Port, string VirtualHost, string UserName, string Password, bool UseTls, BrokerTlsFiles? TlsFiles = null)
{
    /// <summary>The TLS files, none when unset.</summary>
    public BrokerTlsFiles Tls => TlsFiles ?? BrokerTlsFiles.None;

    /// <summary>The AMQP URI, as RabbitMQ.Client's ConnectionFactory.Uri expects it (it URL-decodes each part).</summary>
    public Uri ToUri() => new(Format(Uri.EscapeDataString(Password)));

    /// <summary>The same URI with the password masked, for logs.</summary>
    public string Describe() => Format("***");

    /// <summary>
    /// Why the connection is a risk, for one warning at start-up: without TLS the password and every message cross the
    /// network in clear, unless the broker is on this machine (<c>localhost</c> or a loopback address). Null otherwise.
    /// </summary>
    public string? PlainTextWarning() =>
        UseTls || IsLoopback(Host) ? null
            : $"the broker {Host}:{Port} is reached without TLS (RABBITMQ_USE_TLS=0): its password, the job requests and the statuses cross the network in clear";

    /// <summary><c>localhost</c> (and names under it) or a loopback address: a connection that never leaves this machine.</summary>
    public static bool IsLoopback(string host)
    {
        var h = host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (h == "localhost" || h.EndsWith(".localhost", StringComparison.Ordinal)) return true;
        return System.Net.IPAddress.TryParse(h, out var address) && System.Net.IPAddress.IsLoopback(address);
    }

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
