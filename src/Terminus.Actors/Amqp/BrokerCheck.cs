using Terminus.Core;
using Terminus.Core.Configuration;
using Terminus.Core.Operator;

namespace Terminus.Actors.Amqp;

/// <summary>
/// The broker as the daemon will meet it: a login with the daemon's own connection settings (TLS included), then the
/// portal's two queues, checked without declaring them; with TLS, the certificate the broker showed. One <see cref="CheckLine"/> per item:
/// <c>terminus-daemon --check-broker</c> prints them and <c>terminus check</c> shows them, so the operator's command
/// needs no broker client of its own.
/// </summary>
public static class BrokerCheck
{
    public const string Flag = "--check-broker";

    /// <returns>0 when every line is ok, else 1.</returns>
    public static async Task<int> RunAsync(TerminusSettings s, TextWriter output)
    {
        var failures = 0;
        void Report(CheckVerdict verdict, string what, string detail)
        {
            if (verdict == CheckVerdict.Fail) failures++;
            output.WriteLine(CheckLine.Format(verdict, what, detail));
        }
        void Line(bool ok, string what, string detail) => Report(ok ? CheckVerdict.Ok : CheckVerdict.Fail, what, detail);
        var validator = s.Broker.UseTls ? new BrokerCertificateValidator(s.Broker.Host, s.Broker.Tls) : null;
        void Tls(string? refusal)
        {
            var (verdict, detail) = BrokerTlsCheck.Describe(s.Broker, validator?.LastSeen, refusal, DateTimeOffset.UtcNow);
            Report(verdict, BrokerTlsCheck.What, detail);
        }
        try
        {
            var factory = AmqpConnections.CreateFactory(s.Broker, validator);
            await using var connection = await factory.CreateConnectionAsync($"terminus-check@{s.HostName}").ConfigureAwait(false);
            Tls(null);
            Line(true, "broker", $"logged in to {s.Broker.Describe()}");
            foreach (var queue in new[] { s.JobQueue, s.MonitorQueue })
            {
                try
                {
                    await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
                    var q = await channel.QueueDeclarePassiveAsync(queue).ConfigureAwait(false);
                    Line(true, $"queue {queue}", $"exists ({q.MessageCount} message(s) waiting, {q.ConsumerCount} consumer(s))");
                }
                catch (Exception e) { Line(false, $"queue {queue}", AmqpConnections.Explain(e, queue)); }
            }
        }
        catch (Exception e) when (AmqpConnections.CertificateRefusal(e) is { } refusal) { Tls(refusal); }
        catch (Exception e)
        {
            if (validator?.LastSeen is not null) Tls(null); // the handshake went through: the failure came after it
            Line(false, "broker", $"{s.Broker.Describe()}: {AmqpConnections.Explain(e, s.JobQueue)}");
        }
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
