using System.Net.Sockets;
using System.Text;

namespace Terminus.Actors.Hosting;

/// <summary>
/// systemd's notify protocol (<c>sd_notify</c>): datagrams such as <c>READY=1</c>, <c>WATCHDOG=1</c>, <c>STOPPING=1</c>
/// to the socket named by <c>NOTIFY_SOCKET</c>. Without that variable (a console in screen) it does nothing.
/// </summary>
public sealed class SystemdNotifier(string? socketPath)
{
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool Enabled => !string.IsNullOrEmpty(socketPath);

    /// <summary>The watchdog interval systemd expects (<c>WATCHDOG_USEC</c>, for this process), or null.</summary>
    public static TimeSpan? WatchdogInterval()
    {
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is { Length: > 0 } && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0 ? TimeSpan.FromMicroseconds(usec) : null;
    }

    public void Notify(string state)
    {
        if (!Enabled) return;
        // An abstract socket is written "@name"; its address starts with a NUL byte.
        var path = socketPath!.StartsWith('@') ? "\0" + socketPath[1..] : socketPath;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        socket.Send(Encoding.UTF8.GetBytes(state));
    }
}
