using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Terminus.Tests.Shared;

/// <summary>Certificates made in memory for unit tests (ECDSA P-256): a CA, and leaves it signs.</summary>
public static class TestCertificates
{
    /// <summary>A CA: self-signed, or an intermediate signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 Ca(string name = "Test Lab CA", int days = 365, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        if (issuer is null) return request.CreateSelfSigned(notBefore, DateTimeOffset.UtcNow.AddDays(days));
        using var signed = request.Create(issuer, notBefore, issuer.NotAfter.ToUniversalTime(), RandomNumberGenerator.GetBytes(8));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A server certificate for <paramref name="names"/> (IP addresses become IP SANs), signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 Server(X509Certificate2 ca, string[] names, string commonName = "broker", int days = 365)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
                else san.AddDnsName(name);
            }
            request.CertificateExtensions.Add(san.Build());
        }
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var notAfter = DateTimeOffset.UtcNow.AddDays(days);
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), notAfter < ca.NotAfter ? notAfter : ca.NotAfter.ToUniversalTime(), serial);
        return signed.CopyWithPrivateKey(key);
    }

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    /// <summary>Its private key, unencrypted PKCS#8 PEM (as a client key file holds it).</summary>
    public static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
}
