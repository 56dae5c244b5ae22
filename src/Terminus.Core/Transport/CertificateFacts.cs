using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Terminus.Core.Transport;

/// <summary>
/// What an operator needs to know of a server certificate: whom it is for (subject and subject alternative names),
/// who issued it, and until when it is valid. Also the rule that it names the host we connect to.
/// </summary>
public sealed record CertificateFacts(string Subject, string Issuer, IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses, DateTimeOffset NotAfter)
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    public static CertificateFacts Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (var extension in certificate.Extensions.Where(e => e.Oid?.Value == SubjectAlternativeNameOid))
        {
            var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
            dns.AddRange(san.EnumerateDnsNames());
            ips.AddRange(san.EnumerateIPAddresses());
        }
        return new CertificateFacts(certificate.Subject, certificate.Issuer, dns, ips, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }

    /// <summary>Its names as OpenSSL shows them: <c>DNS:localhost, IP Address:10.0.0.5</c>.</summary>
    public string Names => DnsNames.Count + IpAddresses.Count == 0
        ? "no subject alternative name"
        : string.Join(", ", DnsNames.Select(n => "DNS:" + n).Concat(IpAddresses.Select(a => "IP Address:" + a)));

    /// <summary>Whole days left before it expires (negative once expired).</summary>
    public int DaysLeft(DateTimeOffset now) => (int)Math.Floor((NotAfter - now).TotalDays);

    public string ExpiryDate => NotAfter.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Null when the certificate names <paramref name="host"/>, else why not, in one line. An IP address must be one of
    /// its IP addresses, a DNS name one of its DNS names (case aside; <c>*.example.org</c> stands for exactly one label).
    /// Its subject's common name is not a name: browsers and RFC 6125 have ignored it for years.
    /// </summary>
    public string? NameMismatch(string host)
    {
        var h = host.Trim().Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(h, out var address))
        {
            return IpAddresses.Any(a => a.Equals(address)) ? null
                : $"the broker's certificate does not name {h} (RABBITMQ_HOST): an IP address must be among its IP addresses, and it names {Names}";
        }
        return DnsNames.Any(n => DnsNameMatches(n, h)) ? null
            : $"the broker's certificate does not name '{h}' (RABBITMQ_HOST): it names {Names}";
    }

    private static bool DnsNameMatches(string pattern, string host)
    {
        pattern = pattern.TrimEnd('.');
        if (string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase)) return true;
        // "*.example.org": the whole left-most label, over at least two more labels ("*.org" names nothing).
        if (!pattern.StartsWith("*.", StringComparison.Ordinal) || pattern.IndexOf('.', 2) < 0) return false;
        int dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(host[(dot + 1)..], pattern[2..], StringComparison.OrdinalIgnoreCase);
    }
}
