using System.Globalization;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>What /proc says about a pid: alive (not a zombie) and still the process that started at a given time.</summary>
internal static class ProcessState
{
    public static long? StartTicks(int pid) => Stat(pid) is { } s ? long.Parse(s[19], CultureInfo.InvariantCulture) : null;

    public static bool IsAlive(int pid, long? startTicks) =>
        Stat(pid) is { } s && s[0] != "Z" && (startTicks is null || long.Parse(s[19], CultureInfo.InvariantCulture) == startTicks);

    public static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim(); }
        catch (IOException) { return ""; }
    }

    public static int Session(int pid) => Stat(pid) is { } s ? int.Parse(s[3], CultureInfo.InvariantCulture) : -1;

    // The fields after the command name (which may hold spaces): state is [0], session [3], start time [19].
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
    }
}
