using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Terminus.Core.Configuration;

/// <summary>
/// PEM files for the AMQPS connection: CAs trusted for the broker only, besides the system's store
/// (<c>RABBITMQ_TLS_CA_FILE</c>: a lab's or a portal's private CA, without touching what the rest of the process trusts),
/// and a client certificate with its unencrypted key, for brokers that ask for one (<c>RABBITMQ_TLS_CERT_FILE</c>,
/// <c>RABBITMQ_TLS_KEY_FILE</c>). Read when a connection factory is made, i.e. at start.
/// </summary>
public sealed record BrokerTlsFiles(string? CaFile, string? CertFile, string? KeyFile)
{
    public static readonly BrokerTlsFiles None = new(null, null, null);

    /// <summary>The certificates of <see cref="CaFile"/> (none without one).</summary>
    public X509Certificate2Collection LoadCas()
    {
        var cas = new X509Certificate2Collection();
        if (CaFile is not null) cas.ImportFromPemFile(CaFile);
        return cas;
    }

    /// <summary>The client certificate with its private key, or null without one.</summary>
    public X509Certificate2? LoadClientCertificate() =>
        CertFile is null ? null : X509Certificate2.CreateFromPemFile(CertFile, KeyFile);

    /// <summary>Why the files cannot be used, one line per problem (none when they load).</summary>
    public IEnumerable<string> Problems()
    {
        if (CaFile is not null)
        {
            string? problem = null;
            try
            {
                if (LoadCas().Count == 0) problem = "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                problem = e.Message;
            }
            if (problem is not null) yield return $"RABBITMQ_TLS_CA_FILE '{CaFile}': {problem}";
        }
        if ((CertFile is null) != (KeyFile is null))
        {
            yield return "RABBITMQ_TLS_CERT_FILE and RABBITMQ_TLS_KEY_FILE go together: a client certificate needs its private key";
            yield break;
        }
        if (CertFile is null) yield break;
        string? clientProblem = null;
        try
        {
            using var certificate = LoadClientCertificate();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            clientProblem = e.Message;
        }
        if (clientProblem is not null)
            yield return $"RABBITMQ_TLS_CERT_FILE '{CertFile}' with RABBITMQ_TLS_KEY_FILE '{KeyFile}': {clientProblem} (a PEM certificate and its unencrypted PEM private key are needed)";
    }
}
