using System.Runtime.InteropServices;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// Signals a pid read from a <c>cgroup.procs</c> only if it is still that cgroup's member, through a pidfd: a pid that
/// ended and was reused by another process between the read and the signal is never hit. Never pid 0, 1 or the daemon.
/// </summary>
internal static class MemberSignals
{
    /// <summary>True when the signal was sent; false when the process is gone or no longer a member.</summary>
    public static bool Send(int pid, int signal, Func<int, bool> isMember)
    {
        if (pid <= 1 || pid == Environment.ProcessId) return false;
        var pidfd = NativeCalls.PidfdOpen(pid);
        if (pidfd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == NativeCalls.Esrch) return false;
            if (errno != NativeCalls.Enosys) throw Failed(pid, signal, errno, "pidfd_open");
            // A kernel older than 5.3: a plain kill after the membership check, the best there is.
            return isMember(pid) && Check(NativeCalls.Kill(pid, signal), pid, signal, "kill");
        }
        try
        {
            // The pidfd now holds the process: if it is still a member, the signal reaches it and nothing else.
            return isMember(pid) && Check(NativeCalls.PidfdSendSignal(pidfd, signal), pid, signal, "pidfd_send_signal");
        }
        finally { NativeCalls.Close(pidfd); }
    }

    private static bool Check(int result, int pid, int signal, string call)
    {
        if (result == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == NativeCalls.Esrch ? false : throw Failed(pid, signal, errno, call);
    }

    private static CgroupException Failed(int pid, int signal, int errno, string call) =>
        new($"cannot send signal {signal} to pid {pid} ({call}: {Marshal.GetPInvokeErrorMessage(errno)}"
            + (errno == NativeCalls.Eperm ? ": the daemon may not signal this process, which runs as another user" : "") + ")");
}
