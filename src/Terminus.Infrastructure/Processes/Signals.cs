using System.Runtime.InteropServices;

namespace Terminus.Infrastructure.Processes;

/// <summary>
/// Signals to single processes. Never to a group or to "every process" (pid 0 or -1: one wrong number read from a
/// file would hit the daemon or everything its user may signal), never to init or to the daemon itself.
/// </summary>
public static class Signals
{
    public const int Term = 15;
    public const int Kill = 9;
    private const int Esrch = 3;
    private const int Eperm = 1;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it is gone or not ours to signal.</summary>
    public static bool Send(int pid, int signal)
    {
        if (pid <= 1 || pid == Environment.ProcessId)
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal init, the daemon itself, a group or every process");
        if (NativeKill(pid, signal) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno is Esrch or Eperm ? false : throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {errno}");
    }

    /// <summary>SIGKILL to <paramref name="root"/> (a child the caller started and has not reaped) and everything below it.</summary>
    public static void KillTree(int root)
    {
        foreach (var pid in ProcessTable.Descendants(root, ProcessTable.All()).Prepend(root)) Send(pid, Kill);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int sig);
}
