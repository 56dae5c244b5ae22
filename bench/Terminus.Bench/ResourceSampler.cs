using System.Globalization;

namespace Terminus.Bench;

/// <summary>
/// Samples, every 100 ms until disposed, the resident memory of the daemon and of its whole process tree (the daemon,
/// its ssh master, runners, tar, rsync), from /proc; keeps the peaks, in MiB. Also the CPU time the daemon used meanwhile,
/// on its own and with the children it reaped (every job's processes and every rsync with its ssh: not the storage side).
/// </summary>
internal sealed class ResourceSampler : IDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly (double Own, double WithChildren) _cpuAtStart;

    public ResourceSampler(int pid)
    {
        _pid = pid;
        _cpuAtStart = CpuSeconds(pid);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public double PeakDaemonMb { get; private set; }
    public double PeakTreeMb { get; private set; }
    public double DaemonCpuSeconds { get; private set; }
    public double TreeCpuSeconds { get; private set; }

    private void Sample()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ParentOf(pid) is { } ppid) parents[pid] = ppid;
        bool InTree(int pid)
        {
            for (var p = pid; p > 1; p = parents.GetValueOrDefault(p))
                if (p == _pid) return true;
            return false;
        }
        var daemon = RssMb(_pid);
        var tree = parents.Keys.Where(InTree).Sum(RssMb);
        PeakDaemonMb = Math.Max(PeakDaemonMb, daemon);
        PeakTreeMb = Math.Max(PeakTreeMb, tree);
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException) { return null; }
    }

    /// <summary>utime + stime, and with cutime + cstime, of <paramref name="pid"/> (fields 14 to 17 of its stat, in ticks of 1/100 s).</summary>
    private static (double Own, double WithChildren) CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ').Skip(11).Take(4).Select(v => long.Parse(v, CultureInfo.InvariantCulture) / 100.0).ToArray();
            return (f[0] + f[1], f[0] + f[1] + f[2] + f[3]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return (0, 0); }
    }

    private static double RssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _loop.Wait();
        Sample();
        var cpu = CpuSeconds(_pid);
        DaemonCpuSeconds = cpu.Own - _cpuAtStart.Own;
        TreeCpuSeconds = cpu.WithChildren - _cpuAtStart.WithChildren;
        _stop.Dispose();
    }
}
