namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>A site with the portal's topology declared and the daemon process running, shared by a test class.</summary>
public sealed class RunningDaemon : IAsyncLifetime
{
    public TestSite Site { get; } = new(nodes: 1, concurrency: 2);
    public DaemonProcess Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Harness.DeclareAsync(Site.HostName);
        Daemon = DaemonProcess.Start(Site.Environment(), Path.Combine(Site.Root, "daemon.out"));
        await WaitUntilConsumingAsync(Daemon, Site.HostName);
    }

    public static async Task WaitUntilConsumingAsync(DaemonProcess daemon, string host)
    {
        await daemon.WaitForOutputAsync($"Consuming queue {host}.terminus_jobs", TimeSpan.FromSeconds(60));
        await daemon.WaitForOutputAsync($"Consuming queue {host}.monitor", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (!Daemon.HasExited)
        {
            Daemon.Terminate();
            await Daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        await Daemon.DisposeAsync();
        await Harness.RunAsync("delete-queues", "--host", Site.HostName);
        Site.Dispose();
    }
}
