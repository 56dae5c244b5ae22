using System.Globalization;
using System.Runtime.InteropServices;

namespace Terminus.Actors.Execution;

/// <summary>
/// Signals to whole process groups (a job's runner leads its own: pid = pgid), and what /proc says about a pid.
/// <c>Process.Kill(entireProcessTree)</c> misses orphans re-parented to init; a group signal does not.
/// </summary>
public static class ProcessGroups
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    private const int Esrch = 3;

    /// <summary>Signals every process of group <paramref name="pgid"/>; false when the group has no process left.</summary>
    public static bool SignalGroup(int pgid, int signal) => Kill(-pgid, signal);

    public static bool Signal(int pid, int signal) => Kill(pid, signal);

    private static bool Kill(int target, int signal)
    {
        if (NativeKill(target, signal) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch) return false;
        throw new InvalidOperationException($"kill({target}, {signal}) failed with errno {errno}");
    }

    /// <summary>
    /// Waits (briefly) until <paramref name="pid"/> leads its own process group: right after the launch, <c>setsid</c>
    /// may not have run yet, and a group signal would then miss it. False if it never did or already ended.
    /// </summary>
    public static async Task<bool> WaitUntilGroupLeaderAsync(int pid, TimeSpan max)
    {
        var deadline = DateTime.UtcNow + max;
        while (true)
        {
            if (ReadStat(pid) is not { } stat) return false;
            if (stat.ProcessGroup == pid) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(2).ConfigureAwait(false);
        }
    }

    /// <summary>State, process group and start time (clock ticks since boot) from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public static (char State, int ProcessGroup, long StartTicks)? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> is alive (not a zombie) and is the same process that started at <paramref name="startTicks"/>.</summary>
    public static bool IsAlive(int pid, long? startTicks) =>
        ReadStat(pid) is { } s && s.State != 'Z' && (startTicks is null || s.StartTicks == startTicks);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int NativeKill(int pid, int sig);
}
