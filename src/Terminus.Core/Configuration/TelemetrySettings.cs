namespace Terminus.Core.Configuration;

public enum LogFormat
{
    /// <summary>One readable line per event (the default).</summary>
    Text,
    /// <summary>Compact JSON, one object per line (Serilog's CLEF), for log shippers.</summary>
    Json,
}

/// <summary>What the daemon shows of itself: the metrics endpoint and the shape and lifetime of its logs.</summary>
/// <param name="MetricsListen">Where <c>/metrics</c> is served (<c>TERMINUS_METRICS</c>, <c>host:port</c>), or null when it is off.</param>
/// <param name="LogFormat">The log lines' format (<c>TERMINUS_LOG_FORMAT</c>: <c>text</c> or <c>json</c>).</param>
/// <param name="LogRetainDays">How many daily log files are kept (<c>TERMINUS_LOG_RETAIN_DAYS</c>).</param>
public sealed record TelemetrySettings(MetricsEndpoint? MetricsListen, LogFormat LogFormat, int LogRetainDays)
{
    public const string DefaultMetrics = "127.0.0.1:9464";
    public const int DefaultLogRetainDays = 30;

    public static readonly TelemetrySettings Default = new(MetricsEndpoint.Parse(DefaultMetrics), LogFormat.Text, DefaultLogRetainDays);
}

/// <summary>A host (a name or an address; <c>*</c> or <c>0.0.0.0</c> for every interface) and a TCP port.</summary>
public sealed record MetricsEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The URL a local client (terminus check) reaches it at: a wildcard means this machine.</summary>
    public string LocalUrl => $"http://{(Host is "*" or "0.0.0.0" or "+" ? "127.0.0.1" : Host is "::" ? "[::1]" : Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/metrics";

    public static MetricsEndpoint Parse(string text) => TryParse(text, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    public static bool TryParse(string text, out MetricsEndpoint endpoint, out string error)
    {
        endpoint = null!;
        var value = text.Trim();
        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon].Trim('[', ']') : "";
        if (colon <= 0 || host.Length == 0 || !int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, null, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not host:port (e.g. {TelemetrySettings.DefaultMetrics}, or empty/off to turn metrics off)";
            return false;
        }
        if (host.Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            error = $"'{host}' is not a host name or address";
            return false;
        }
        endpoint = new MetricsEndpoint(host, port);
        error = "";
        return true;
    }
}
