using System.Diagnostics;
using System.Globalization;
using Terminus.Core.Containment;
using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// One job run's cgroup, in every tree of its daemon: the launcher writes its pid into each <see cref="ProcsFiles"/>
/// before it execs, so everything the job starts is born inside, however it detaches; the daemon can then list,
/// signal and wait for all of it, ask for OOM kills, and remove the cgroup once empty.
/// </summary>
public sealed class JobCgroup
{
    public const int SigKill = 9;
    private const int MaxSignalRounds = 50;
    private static readonly TimeSpan SignalAgainEvery = TimeSpan.FromMilliseconds(200);
    private readonly IReadOnlyList<(CgroupTree Tree, string Directory)> _places;

    private JobCgroup(string key, IReadOnlyList<(CgroupTree Tree, string Directory)> places) => (Key, _places) = (key, places);

    public string Key { get; }

    /// <summary>The job's cgroup directory in each tree.</summary>
    public IReadOnlyList<string> Directories => [.. _places.Select(p => p.Directory)];

    /// <summary>The files the launch shell writes its own pid into (<c>echo $$ &gt; file</c>, each of them) before it execs the runner.</summary>
    public IReadOnlyList<string> ProcsFiles => [.. _places.Select(p => Path.Combine(p.Directory, "cgroup.procs"))];

    internal static JobCgroup Create(CgroupHost host, string key, JobLimits limits)
    {
        var places = host.Trees.Select(t => (Tree: t, Directory: Path.Combine(t.Directory, key))).ToList();
        var created = new List<string>();
        try
        {
            foreach (var (_, directory) in places)
                if (CgroupFiles.MakeDirectory(directory)) created.Add(directory);
            foreach (var (tree, directory) in places) CgroupLimits.Apply(tree, directory, limits);
        }
        catch (CgroupException)
        {
            foreach (var directory in created) { try { CgroupFiles.RemoveDirectory(directory); } catch (CgroupException) { } }
            throw;
        }
        return new JobCgroup(key, places);
    }

    internal static JobCgroup? Open(CgroupHost host, string key)
    {
        var places = host.Trees.Select(t => (Tree: t, Directory: Path.Combine(t.Directory, key))).Where(p => Directory.Exists(p.Directory)).ToList();
        return places.Count == 0 ? null : new JobCgroup(key, places);
    }

    /// <summary>
    /// The job's memory limit in MB as the kernel holds it (v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>), so
    /// also for a cgroup opened after a restart; null when it has none or no tree has the memory controller.
    /// </summary>
    public long? MemoryLimitMb =>
        _places.Where(p => p.Tree.Has("memory"))
            .Select(p => CgroupFiles.ReadIfExists(Path.Combine(p.Directory, p.Tree.Version == CgroupVersion.V2 ? "memory.max" : "memory.limit_in_bytes")))
            .Select(text => text is null ? null : CgroupFileText.Number(text))
            // v2 says "max"; v1 says "no limit" with a number near 2^63.
            .FirstOrDefault(bytes => bytes is < long.MaxValue / 2) / (1024 * 1024);

    /// <summary>Every process in the job's cgroups (sub-cgroups included), over all trees; never pid 0, 1 or the daemon.</summary>
    public IReadOnlySet<int> Members() => RawMembers().Where(pid => pid > 1 && pid != Environment.ProcessId).ToHashSet();

    /// <summary>True when no process is left (v2: <c>cgroup.events</c> says unpopulated; v1: every <c>cgroup.procs</c> is empty).</summary>
    public bool IsEmpty() => _places.All(p => IsEmpty(p.Tree, p.Directory));

    /// <summary>
    /// Sends <paramref name="signal"/> to every member; returns how many processes it reached. SIGKILL reads the members
    /// again after each round to catch those forked meanwhile, until a round finds none new (bounded), and with v2
    /// first kills them all at once through <c>cgroup.kill</c>. Any other signal is sent once to the members of the
    /// moment: the processes a SIGTERM handler starts to clean up are not to be hit (the SIGKILL after the grace gets
    /// whatever is left).
    /// </summary>
    public int Kill(int signal)
    {
        var raw = RawMembers();
        // cgroup.kill would take the daemon (or init) with the job, should either ever have been put inside by mistake.
        if (signal == SigKill && !raw.Any(pid => pid <= 1 || pid == Environment.ProcessId))
            foreach (var (_, directory) in _places.Where(p => p.Tree.Version == CgroupVersion.V2))
                if (File.Exists(Path.Combine(directory, "cgroup.kill"))) CgroupFiles.Write(Path.Combine(directory, "cgroup.kill"), "1");

        var tried = new HashSet<int>();
        var sent = 0;
        for (var round = 0; round < (signal == SigKill ? MaxSignalRounds : 1); round++)
        {
            var fresh = Members().Where(tried.Add).ToList();
            if (fresh.Count == 0) break;
            sent += fresh.Count(pid => Signals.Send(pid, signal, IsMember));
        }
        return sent;
    }

    /// <summary>Waits until the cgroup is empty; false if it is not within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitUntilEmptyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (!IsEmpty())
        {
            if (clock.Elapsed >= timeout) return false;
            await Task.Delay(Min(pause, timeout - clock.Elapsed), cancellationToken).ConfigureAwait(false);
            pause = Min(pause * 2, TimeSpan.FromMilliseconds(100));
        }
        return true;
    }

    /// <summary>SIGKILLs every member, again while any is left, until the cgroup is empty; false if it is not within <paramref name="timeout"/>.</summary>
    public async Task<bool> KillAllAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Kill(SigKill);
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero) return IsEmpty();
            if (await WaitUntilEmptyAsync(Min(left, SignalAgainEvery), cancellationToken).ConfigureAwait(false)) return true;
        }
    }

    /// <summary>
    /// How many processes the kernel's OOM killer killed in the job (v2 <c>memory.events</c>, v1 <c>memory.oom_control</c>);
    /// null when no tree has the memory controller or the kernel does not count them.
    /// </summary>
    public long? OomKills()
    {
        long? total = null;
        foreach (var (tree, directory) in _places.Where(p => p.Tree.Has("memory")))
        {
            var file = Path.Combine(directory, tree.Version == CgroupVersion.V2 ? "memory.events" : "memory.oom_control");
            if (CgroupFiles.ReadIfExists(file) is { } text && CgroupFileText.Value(text, "oom_kill") is { } kills)
                total = (total ?? 0) + kills;
        }
        return total;
    }

    /// <summary>Removes the job's cgroups (sub-cgroups first); absent ones are fine. Throws if a process is still inside.</summary>
    public void Remove()
    {
        foreach (var (_, directory) in _places)
            foreach (var cgroup in CgroupFiles.SelfAndDescendants(directory))
            {
                try { CgroupFiles.RemoveDirectory(cgroup); }
                catch (CgroupException e) when (PidsIn(cgroup).Count > 0)
                {
                    throw new CgroupException($"{e.Message}: processes are still inside (kill them and wait until it is empty first)", e);
                }
            }
    }

    private List<int> RawMembers() =>
        [.. _places.SelectMany(p => CgroupFiles.SelfAndDescendants(p.Directory)).SelectMany(PidsIn).Distinct()];

    private static bool IsEmpty(CgroupTree tree, string directory)
    {
        // v2 says it in one file, for the whole subtree.
        if (tree.Version == CgroupVersion.V2 && CgroupFiles.ReadIfExists(Path.Combine(directory, "cgroup.events")) is { } events)
            return CgroupFileText.Value(events, "populated") != 1;
        return CgroupFiles.SelfAndDescendants(directory).All(d => PidsIn(d).Count == 0);
    }

    private static IReadOnlyList<int> PidsIn(string cgroup) =>
        CgroupFileText.Pids(CgroupFiles.ReadIfExists(Path.Combine(cgroup, "cgroup.procs")) ?? "");

    /// <summary>Whether /proc/&lt;pid&gt;/cgroup places the process in (or below) this job's cgroup in any tree.</summary>
    private bool IsMember(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        var memberships = ProcCgroup.Parse(text);
        return _places.Any(p =>
        {
            var jobPath = p.Tree.Path.TrimEnd('/') + "/" + Key;
            return memberships.Any(m => m.Version == p.Tree.Version
                && (m.Version == CgroupVersion.V2 || m.Controllers.Any(p.Tree.Has))
                && (m.Path == jobPath || m.Path.StartsWith(jobPath + "/", StringComparison.Ordinal)));
        });
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
