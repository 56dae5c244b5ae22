using Xunit.Abstractions;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>
/// The daemon processes a test starts on one site, one after the other when it kills one and starts the next.
/// Disposing stops those still running, prints every daemon's output, deletes the host's queues and the site.
/// </summary>
public sealed class SiteDaemons(TestSite site, ITestOutputHelper output, IReadOnlyDictionary<string, string>? defaults = null) : IAsyncDisposable
{
    private readonly List<DaemonProcess> _started = new();

    public TestSite Site => site;

    /// <summary>Starts a daemon with the site's environment, <c>defaults</c> and <paramref name="overrides"/>; returns once it consumes.</summary>
    /// <param name="asUser">An unprivileged account to run the daemon as (it must own the site), or null for ours.</param>
    /// <param name="prefix">A command that runs the daemon (see <see cref="DaemonProcess.Start"/>), or null.</param>
    public async Task<DaemonProcess> StartAsync(IReadOnlyDictionary<string, string>? overrides = null, string? asUser = null,
        IReadOnlyList<string>? prefix = null)
    {
        var daemon = Launch(overrides, asUser, prefix);
        await RunningDaemon.WaitUntilConsumingAsync(daemon, site.HostName);
        return daemon;
    }

    /// <summary>Starts a daemon as <see cref="StartAsync"/> does, without waiting for it to consume (it may refuse to start).</summary>
    public DaemonProcess Launch(IReadOnlyDictionary<string, string>? overrides = null, string? asUser = null, IReadOnlyList<string>? prefix = null)
    {
        var env = site.Environment();
        foreach (var (k, v) in (defaults ?? new Dictionary<string, string>()).Concat(overrides ?? new Dictionary<string, string>())) env[k] = v;
        var daemon = DaemonProcess.Start(env, Path.Combine(site.Root, $"daemon-{_started.Count + 1}.out"), asUser, prefix);
        _started.Add(daemon);
        return daemon;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _started.Where(d => !d.HasExited))
        {
            d.Terminate();
            try { await d.WaitForExitAsync(TimeSpan.FromSeconds(60)); } catch (OperationCanceledException) { }
        }
        foreach (var d in _started)
        {
            output.WriteLine($"---- daemon pid {d.Pid}\n{d.Output}");
            await d.DisposeAsync();
        }
        await Harness.RunAsync("delete-queues", "--host", site.HostName);
        site.Dispose();
    }
}
