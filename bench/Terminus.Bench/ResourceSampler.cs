using System.Globalization;

namespace Terminus.Bench;

/// <summary>
/// Samples, every 100 ms until disposed, the resident memory of the daemon and of its whole process tree (the daemon,
/// its ssh master, runners, tar, rsync), from /proc; keeps the peaks, in MiB.
/// </summary>
internal sealed class ResourceSampler : IDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ResourceSampler(int pid)
    {
        _pid = pid;
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
        _stop.Cancel();
        _loop.Wait();
        Sample();
        _stop.Dispose();
    }
}
