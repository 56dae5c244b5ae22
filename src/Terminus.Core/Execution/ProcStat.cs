using System.Globalization;

namespace Terminus.Core.Execution;

/// <summary>
/// What <c>/proc/&lt;pid&gt;/stat</c> says of a process: state, parent, process group and start time (clock ticks since
/// boot, which tell a reused pid apart).
/// </summary>
public readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, long StartTicks)
{
    public bool IsZombie => State is 'Z' or 'X';

    /// <summary>The stat line parsed, or null if it is not one.</summary>
    public static ProcStat? Parse(int pid, string stat)
    {
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length) return null;
        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0].Length != 1) return null;
        return int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid)
               && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pgid)
               && long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks)
            ? new ProcStat(pid, fields[0][0], ppid, pgid, ticks)
            : null;
    }
}
