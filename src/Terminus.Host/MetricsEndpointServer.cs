using Prometheus;
using Serilog;
using Terminus.Core.Configuration;

namespace Terminus.Host;

/// <summary>
/// Serves <c>/metrics</c> (prometheus-net's own HttpListener server, no ASP.NET) at <c>TERMINUS_METRICS</c>. The
/// daemon's metrics and the process's (<c>process_*</c>, and the .NET runtime's <c>dotnet_*</c>) are exported; the
/// runtime's event counters and meters are not (many series, and a listener that costs CPU on every job). An endpoint
/// that cannot be bound is logged and the daemon runs without it: jobs matter more than their metrics.
/// </summary>
public static class MetricsEndpointServer
{
    public static IDisposable? Start(MetricsEndpoint? listen)
    {
        if (listen is null)
        {
            Log.Information("Metrics: off (TERMINUS_METRICS is empty)");
            return null;
        }
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true, SuppressDebugMetrics = true });
        var server = new MetricServer(listen.Host, listen.Port, "metrics/");
        try
        {
            server.Start();
            Log.Information("Metrics: serving http://{Listen}/metrics", listen.ToString());
            return server;
        }
        catch (Exception e) when (e is System.Net.HttpListenerException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            Log.Warning("Metrics: cannot serve on {Listen} ({Error}); the daemon runs without /metrics", listen.ToString(), e.Message);
            server.Dispose();
            return null;
        }
    }
}
