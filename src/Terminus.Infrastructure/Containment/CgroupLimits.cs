using System.Globalization;
using Terminus.Core.Containment;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// Writes a job's limits into its cgroup in one tree, every time (a reused cgroup gets exactly these, a missing limit
/// means none). Memory counts swap too, so that a job cannot escape its limit into swap.
/// </summary>
internal static class CgroupLimits
{
    public static void Apply(CgroupTree tree, string directory, JobLimits limits)
    {
        if (tree.Has("memory"))
        {
            if (tree.Version == CgroupVersion.V2) ApplyV2Memory(directory, limits.MemoryBytes);
            else ApplyV1Memory(directory, limits.MemoryBytes);
        }
        if (tree.Has("pids"))
            CgroupFiles.Write(Path.Combine(directory, "pids.max"), limits.MaxTasks is { } n ? Text(n) : "max");
    }

    private static void ApplyV2Memory(string directory, long? bytes)
    {
        CgroupFiles.Write(Path.Combine(directory, "memory.max"), bytes is { } b ? Text(b) : "max");
        var swap = Path.Combine(directory, "memory.swap.max");
        if (File.Exists(swap)) CgroupFiles.Write(swap, bytes is null ? "max" : "0");
    }

    private static void ApplyV1Memory(string directory, long? bytes)
    {
        var memory = Path.Combine(directory, "memory.limit_in_bytes");
        var withSwap = Path.Combine(directory, "memory.memsw.limit_in_bytes");
        var value = bytes is { } b ? Text(b) : "-1";
        if (!File.Exists(withSwap))
        {
            // No swap accounting: keep the job's memory out of swap instead.
            CgroupFiles.Write(memory, value);
            var swappiness = Path.Combine(directory, "memory.swappiness");
            if (bytes is not null && File.Exists(swappiness)) CgroupFiles.Write(swappiness, "0");
            return;
        }
        // The kernel wants memory+swap ≥ memory at every moment: raise memsw first, lower it last.
        var current = CgroupFileText.Number(CgroupFiles.Read(withSwap)) ?? long.MaxValue;
        if ((bytes ?? long.MaxValue) > current)
        {
            CgroupFiles.Write(withSwap, value);
            CgroupFiles.Write(memory, value);
        }
        else
        {
            CgroupFiles.Write(memory, value);
            CgroupFiles.Write(withSwap, value);
        }
    }

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
}
