using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Terminus.Actors.Telemetry;
using Terminus.Core.Configuration;
using Terminus.Core.Transport;

namespace Terminus.Actors.Amqp;

/// <summary>
/// Decides whether the broker's certificate is the broker's, for every AMQPS handshake of the daemon: it must name
/// <c>RABBITMQ_HOST</c> (<see cref="CertificateFacts.NameMismatch"/>), and the system's CAs or those of
/// <c>RABBITMQ_TLS_CA_FILE</c> must vouch for it. A refusal throws <see cref="BrokerCertificateException"/> with the
/// reason in one line, which the connection's error carries to the log (<see cref="AmqpConnections.Explain"/>).
/// </summary>
public sealed class BrokerCertificateValidator(string host, BrokerTlsFiles files)
{
    private readonly X509Certificate2Collection _extraTrust = files.LoadCas();

    /// <summary>The certificate of the last handshake, for <c>terminus check</c>.</summary>
    public CertificateFacts? LastSeen { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) throw new BrokerCertificateException("the broker showed no certificate");
        using var presented = new X509Certificate2(certificate);
        var facts = CertificateFacts.Of(presented);
        LastSeen = facts;
        DaemonMetrics.BrokerCertificateExpiry.Set(facts.NotAfter.ToUnixTimeSeconds());
        // Our own name rule, not the TLS stack's flag, so that a refusal can say which names the certificate holds.
        if (facts.NameMismatch(host) is { } mismatch) throw new BrokerCertificateException(mismatch);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && TrustProblem(presented, chain) is { } untrusted)
            throw new BrokerCertificateException(untrusted);
        return true;
    }

    /// <summary>Null if the CA file vouches for a certificate the system's CAs did not, else why neither does.</summary>
    private string? TrustProblem(X509Certificate2 presented, X509Chain? systemChain)
    {
        var systemSays = Statuses(systemChain?.ChainStatus);
        if (_extraTrust.Count == 0)
            return $"the broker's certificate (issued by {presented.Issuer}) is not trusted: {systemSays}; if the broker's CA is the lab's or the portal's own, give it in RABBITMQ_TLS_CA_FILE";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_extraTrust);
        chain.ChainPolicy.ExtraStore.AddRange(_extraTrust);
        if (systemChain is not null)
        {
            // The intermediates the broker sent.
            chain.ChainPolicy.ExtraStore.AddRange(systemChain.ChainPolicy.ExtraStore);
            foreach (var element in systemChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // as for the system's store: a private CA seldom publishes a CRL
        if (chain.Build(presented)) return null;
        return $"the broker's certificate (issued by {presented.Issuer}) is not trusted: neither the system's CAs ({systemSays}) nor those of RABBITMQ_TLS_CA_FILE {files.CaFile} ({Statuses(chain.ChainStatus)}) vouch for it";
    }

    private static string Statuses(X509ChainStatus[]? statuses) =>
        statuses is null or { Length: 0 } ? "no reason given"
            : string.Join("; ", statuses.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
}

/// <summary>The broker's certificate is refused; the message says why in one line.</summary>
public sealed class BrokerCertificateException(string reason) : Exception(reason);
