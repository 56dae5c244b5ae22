using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;
using Terminus.Core.Configuration;

namespace Terminus.Actors.Amqp;

/// <summary>Connection settings shared by every connection of the daemon.</summary>
public static class AmqpConnections
{
    /// <summary>
    /// Client-side recovery is off: each stream owns its reconnects (a restart means a new connection, channel
    /// and consumer), which rules out ghost consumers and acks silently dropped after recovery (docs/architecture.md, "Decisions").
    /// </summary>
    /// <param name="validator">The certificate check to use (<c>terminus check</c> reads what it saw); one is made if null.</param>
    public static ConnectionFactory CreateFactory(BrokerSettings broker, BrokerCertificateValidator? validator = null)
    {
        var factory = new ConnectionFactory
        {
            Uri = broker.ToUri(),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(20),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ContinuationTimeout = TimeSpan.FromSeconds(20),
            HandshakeContinuationTimeout = TimeSpan.FromSeconds(10),
        };
        if (broker.UseTls)
        {
            factory.Ssl.Enabled = true;
            factory.Ssl.ServerName = broker.Host;
            // Setting an amqps:// Uri makes RabbitMQ.Client accept a certificate issued to any name
            // (ConnectionFactory.SetUri: AcceptablePolicyErrors = RemoteCertificateNameMismatch): anyone with a certificate
            // from a trusted CA could stand in the middle. The certificate must name RABBITMQ_HOST.
            factory.Ssl.AcceptablePolicyErrors = System.Net.Security.SslPolicyErrors.None;
            factory.Ssl.CertificateValidationCallback = (validator ?? new BrokerCertificateValidator(broker.Host, broker.Tls)).Validate;
            if (broker.Tls.LoadClientCertificate() is { } client) factory.Ssl.Certs = new X509CertificateCollection { client };
        }
        return factory;
    }

    /// <summary>One line for the log that tells an operator what went wrong and what to do.</summary>
    public static string Explain(Exception error, string queue) => CertificateRefusal(error) ?? error switch
    {
        RabbitMQ.Client.Exceptions.OperationInterruptedException { ShutdownReason.ReplyCode: 404 } =>
            $"queue '{queue}' does not exist on the broker (the portal declares it; Terminus never does)",
        RabbitMQ.Client.Exceptions.OperationInterruptedException { ShutdownReason.ReplyCode: 403 } e =>
            $"access refused on queue '{queue}': {e.ShutdownReason?.ReplyText}",
        RabbitMQ.Client.Exceptions.BrokerUnreachableException e =>
            $"broker unreachable: {e.InnerException?.Message ?? e.Message}",
        RabbitMQ.Client.Exceptions.AuthenticationFailureException =>
            "the broker refused the user name or password",
        _ => error.Message,
    };

    /// <summary>The reason the broker's certificate was refused, wherever the client wrapped it.</summary>
    public static string? CertificateRefusal(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
            if (e is BrokerCertificateException refused) return refused.Message;
        return null;
    }
}
