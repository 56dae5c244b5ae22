using System.Runtime.InteropServices;

namespace Terminus.Infrastructure.Containment;

/// <summary>The few libc calls cgroup detection needs that .NET does not offer.</summary>
internal static class NativeCalls
{
    private const int WriteOk = 2;

    public static bool IsWritable(string path) => Access(path, WriteOk) == 0;

    public static uint EffectiveUid => GetEuid();

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access(string path, int mode);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
