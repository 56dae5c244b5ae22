using System.Runtime.InteropServices;

namespace Terminus.Infrastructure.Containment;

/// <summary>The few libc calls containment needs that .NET does not offer.</summary>
internal static class NativeCalls
{
    public const int Esrch = 3;
    public const int Eperm = 1;
    public const int Enosys = 38;
    private const int WriteOk = 2;
    // The same numbers on every Linux architecture .NET runs on (syscalls added after 5.0 are numbered alike).
    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdOpen = 434;

    public static bool IsWritable(string path) => Access(path, WriteOk) == 0;

    public static uint EffectiveUid => GetEuid();

    /// <summary>A file descriptor for <paramref name="pid"/> (so that a signal reaches that process, never a later one with its pid), or -1 with errno.</summary>
    public static int PidfdOpen(int pid) => (int)Syscall(SysPidfdOpen, pid, 0);

    public static int PidfdSendSignal(int pidfd, int signal) => (int)Syscall(SysPidfdSendSignal, pidfd, signal, 0, 0);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access(string path, int mode);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    // syscall(2) is variadic: every argument is passed as a full register (long), the kernel narrows each to its type.
    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long a1, long a2);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long a1, long a2, long a3, long a4);
}
