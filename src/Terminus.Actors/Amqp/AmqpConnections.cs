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
    public static ConnectionFactory CreateFactory(BrokerSettings broker)
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
        }
        return factory;
    }

    /// <summary>One line for the log that tells an operator what went wrong and what to do.</summary>
    public static string Explain(Exception error, string queue) => error switch
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
}
