using Terminus.Core.Configuration;
using Terminus.Core.Transport;

namespace Terminus.Core.Operator;

/// <summary>
/// The <c>broker TLS</c> line of <c>terminus check</c>: on or off, and with TLS the certificate the broker showed (its
/// subject, names, issuer and days left). A certificate that expires within <see cref="RenewWithin"/> is a warning.
/// </summary>
public static class BrokerTlsCheck
{
    public const string What = "broker TLS";
    public static readonly TimeSpan RenewWithin = TimeSpan.FromDays(30);

    /// <param name="seen">The broker's certificate as the handshake showed it; null if none was seen.</param>
    /// <param name="refusal">Why it was refused, if it was.</param>
    public static (CheckVerdict Verdict, string Detail) Describe(BrokerSettings broker, CertificateFacts? seen, string? refusal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(broker);
        if (!broker.UseTls)
        {
            return broker.PlainTextWarning() is { } warning
                ? (CheckVerdict.Warn, $"off: {warning}; docs/operations.md, \"Switch to AMQPS\", tells how")
                : (CheckVerdict.Ok, "off (the broker is on this machine: nothing crosses the network)");
        }
        if (seen is null) return (CheckVerdict.Fail, refusal is null ? "on, but no certificate was seen: the broker was not reached" : $"on, refused: {refusal}");
        var facts = $"certificate {seen.Subject}, names {seen.Names}, issued by {seen.Issuer}";
        if (refusal is not null)
            return (CheckVerdict.Fail, $"on, refused: {refusal}; {facts}, expires {seen.ExpiryDate}");
        int days = seen.DaysLeft(now);
        if (seen.NotAfter - now < RenewWithin)
            return (CheckVerdict.Warn, $"on, {facts}: expires {seen.ExpiryDate}, in {days} day(s): ask the broker's admins for a renewed certificate now");
        return (CheckVerdict.Ok, $"on, {facts}, expires {seen.ExpiryDate} ({days} days left)");
    }
}
