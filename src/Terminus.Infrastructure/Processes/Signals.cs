using System.Runtime.InteropServices;

namespace Terminus.Infrastructure.Processes;

/// <summary>
/// Signals to single processes, each proven first. Never to a group or to "every process" (pid 0 or -1: one wrong
/// number read from a file would hit the daemon or everything its user may signal), never to init or to the daemon
/// itself. The process is held through a pidfd while the caller's proof is checked, so a pid that ended and was reused
/// in between is never hit.
/// </summary>
public static class Signals
{
    public const int Term = 15;
    public const int Kill = 9;
    private const int Eperm = 1;
    private const int Esrch = 3;
    private const int Enosys = 38;
    // The same numbers on every Linux architecture .NET runs on (syscalls added after 5.0 are numbered alike).
    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdOpen = 434;

    /// <summary>
    /// Sends <paramref name="signal"/> to <paramref name="pid"/> if <paramref name="stillOurs"/> (checked while the
    /// process is held) says it is still the one meant; false when it is gone, no longer ours, or not ours to signal.
    /// </summary>
    public static bool Send(int pid, int signal, Func<int, bool>? stillOurs = null)
    {
        if (pid <= 1 || pid == Environment.ProcessId)
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal init, the daemon itself, a group or every process");
        var pidfd = (int)Syscall(SysPidfdOpen, pid, 0);
        if (pidfd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Enosys) return Refused(errno, pid, signal, "pidfd_open");
            // A kernel older than 5.3: a plain kill right after the check, the best there is.
            return (stillOurs?.Invoke(pid) ?? true) && Sent(NativeKill(pid, signal), pid, signal, "kill");
        }
        try
        {
            return (stillOurs?.Invoke(pid) ?? true) && Sent((int)Syscall(SysPidfdSendSignal, pidfd, signal, 0, 0), pid, signal, "pidfd_send_signal");
        }
        finally { Close(pidfd); }
    }

    /// <summary>SIGKILL to <paramref name="root"/> (a child the caller started and has not reaped) and everything below it.</summary>
    public static void KillTree(int root)
    {
        var all = ProcessTable.All();
        var tree = ProcessTable.Descendants(root, all).Append(root).ToHashSet();
        foreach (var p in all.Where(p => tree.Contains(p.Pid))) Send(p.Pid, Kill, pid => ProcessTable.Read(pid)?.StartTicks == p.StartTicks);
    }

    private static bool Sent(int result, int pid, int signal, string call) =>
        result == 0 || Refused(Marshal.GetLastPInvokeError(), pid, signal, call);

    private static bool Refused(int errno, int pid, int signal, string call) => errno is Esrch or Eperm
        ? false
        : throw new InvalidOperationException($"cannot send signal {signal} to pid {pid} ({call}: {Marshal.GetPInvokeErrorMessage(errno)})");

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int sig);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    // syscall(2) is variadic: every argument is passed as a full register (long), the kernel narrows each to its type.
    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long a1, long a2);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long a1, long a2, long a3, long a4);
}
