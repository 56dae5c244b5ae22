using System.Globalization;
using System.Text;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Processes;

/// <summary>What <c>/proc</c> says about processes: one, all, a process tree, an environment entry, an age.</summary>
public static class ProcessTable
{
    /// <summary>Clock ticks per second of <c>/proc</c>'s start times (USER_HZ, 100 on every Linux we run on).</summary>
    private const double TicksPerSecond = 100;

    public static ProcStat? Read(int pid)
    {
        try { return ProcStat.Parse(pid, File.ReadAllText($"/proc/{pid}/stat")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True when <paramref name="pid"/> is alive (not a zombie) and, if given, started at <paramref name="startTicks"/>.</summary>
    public static bool IsAlive(int pid, long? startTicks) =>
        Read(pid) is { IsZombie: false } s && (startTicks is null || s.StartTicks == startTicks);

    /// <summary>Every process now alive (zombies left out).</summary>
    public static IReadOnlyList<ProcStat> All()
    {
        var all = new List<ProcStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { IsZombie: false } s)
                all.Add(s);
        return all;
    }

    /// <summary>The live descendants of <paramref name="root"/> in <paramref name="all"/>, at any depth.</summary>
    public static IReadOnlyList<int> Descendants(int root, IReadOnlyList<ProcStat> all)
    {
        var children = all.ToLookup(p => p.ParentPid, p => p.Pid);
        var found = new List<int>();
        var seen = new HashSet<int> { root };
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
            foreach (var child in children[pid])
                if (seen.Add(child))
                {
                    found.Add(child);
                    pending.Push(child);
                }
        return found;
    }

    /// <summary>True when the environment <paramref name="pid"/> started with holds exactly <paramref name="entry"/> (<c>NAME=value</c>).</summary>
    public static bool HasEnvironmentEntry(int pid, string entry)
    {
        try
        {
            var needle = Encoding.UTF8.GetBytes(entry + "\0");
            var environ = File.ReadAllBytes($"/proc/{pid}/environ");
            for (var at = 0; at < environ.Length;)
            {
                var end = Array.IndexOf(environ, (byte)0, at);
                var length = (end < 0 ? environ.Length : end) - at;
                if (length == needle.Length - 1 && environ.AsSpan(at, length).SequenceEqual(needle.AsSpan(0, length))) return true;
                at += length + 1;
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>This process and every ancestor up to init: never a job's, whatever a job's records say.</summary>
    public static IReadOnlySet<int> SelfAndAncestors()
    {
        var chain = new HashSet<int>();
        for (var pid = Environment.ProcessId; pid > 0 && chain.Add(pid);) pid = Read(pid)?.ParentPid ?? 0;
        return chain;
    }

    /// <summary>How long ago a process started, from its start ticks and the system's uptime.</summary>
    public static TimeSpan? Age(long startTicks)
    {
        try
        {
            var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(Math.Max(0, uptime - startTicks / TicksPerSecond));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
