using Terminus.Core.Containment;

namespace Terminus.Infrastructure.Containment;

/// <summary>
/// The cgroups of one daemon instance: detection (<see cref="Probe(string)"/>, which changes nothing, for
/// <c>terminus check</c>), activation (<see cref="Activate(CgroupProbe)"/>, for the daemon: v2 controllers handed down,
/// the instance directories), and its jobs' cgroups.
/// </summary>
public sealed class CgroupHost
{
    private static readonly string[] Delegated = ["memory", "pids"];

    private readonly CgroupProbe _probe;

    private CgroupHost(CgroupProbe probe) => _probe = probe;

    public string InstanceKey => _probe.InstanceKey;
    public CgroupMechanism Mechanism => _probe.Mechanism;
    public string Description => _probe.Description;
    public IReadOnlyList<CgroupTree> Trees => _probe.Trees;

    /// <summary>Detects the mechanism for this process, reading only (no directory is created, no process moved); a file it
    /// cannot read makes it none, with that reason.</summary>
    public static CgroupProbe Probe(string instanceKey)
    {
        string procSelfCgroup, mountInfo;
        try
        {
            procSelfCgroup = File.ReadAllText("/proc/self/cgroup");
            mountInfo = File.ReadAllText("/proc/self/mountinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CgroupProbe(instanceKey, CgroupMechanism.None, [], $"none: cannot read /proc/self/cgroup and /proc/self/mountinfo ({e.Message})");
        }
        try { return Probe(instanceKey, CgroupLayout.Parse(procSelfCgroup, mountInfo)); }
        catch (CgroupException e) { return new CgroupProbe(instanceKey, CgroupMechanism.None, [], $"none: {e.Message}"); }
    }

    /// <summary>Detects the mechanism for a given layout (tests lay one out in a temporary directory).</summary>
    internal static CgroupProbe Probe(string instanceKey, CgroupLayout layout, Func<string, bool>? isWritable = null, uint? uid = null) =>
        CgroupDetection.Probe(instanceKey, layout, isWritable ?? NativeCalls.IsWritable, uid ?? NativeCalls.EffectiveUid);

    /// <summary>Detects, then activates: the daemon's start.</summary>
    public static CgroupHost Activate(string instanceKey) => Activate(Probe(instanceKey));

    /// <summary>
    /// Makes the probed mechanism ready: for delegated v2 (the daemon in its <c>daemon</c> leaf), enables memory and
    /// pids for the children; creates the instance directories (kept if they exist,
    /// as after a restart). Throws <see cref="CgroupException"/> when no cgroup is usable or a step fails.
    /// </summary>
    public static CgroupHost Activate(CgroupProbe probe)
    {
        if (!probe.IsUsable) throw new CgroupException($"no cgroup is usable: {probe.Description}");
        if (probe is { Mechanism: CgroupMechanism.V2Delegated, V2Owner: { } owner })
        {
            EnableControllers(owner);
        }
        foreach (var tree in probe.Trees)
        {
            CgroupFiles.MakeDirectory(tree.Directory);
            if (probe.Mechanism == CgroupMechanism.V2Delegated) EnableControllers(tree.Directory);
        }
        return new CgroupHost(probe);
    }

    /// <summary>What of <paramref name="requested"/> this mechanism can enforce (a limit without its controller is dropped).</summary>
    public JobLimits Enforceable(JobLimits requested) =>
        new(_probe.CanLimitMemory ? requested.MemoryMb : null, _probe.CanLimitTasks ? requested.MaxTasks : null);

    /// <summary>Creates the job's cgroup in every tree (reusing one left by an earlier daemon) and sets its limits.</summary>
    public JobCgroup CreateJob(string jobKey, JobLimits limits) => JobCgroup.Create(this, CheckedKey(jobKey), limits);

    /// <summary>The job's cgroup as an earlier daemon left it, or null when no tree has it.</summary>
    public JobCgroup? OpenJob(string jobKey) => JobCgroup.Open(this, CheckedKey(jobKey));

    /// <summary>The keys of the job cgroups that exist now, in any tree (a restarted daemon's leftovers among them).</summary>
    public IReadOnlyList<string> JobKeys() =>
        [.. Trees.Where(t => Directory.Exists(t.Directory))
            .SelectMany(t => Directory.EnumerateDirectories(t.Directory).Select(Path.GetFileName).OfType<string>())
            .Where(CgroupNames.IsValidKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Removes the instance directories when no job cgroup is left in them; true when they are gone.</summary>
    public bool TryRemoveInstance()
    {
        if (JobKeys().Count > 0) return false;
        foreach (var tree in Trees) CgroupFiles.RemoveDirectory(tree.Directory);
        return true;
    }

    private static string CheckedKey(string jobKey) =>
        CgroupNames.IsValidKey(jobKey) ? jobKey : throw new ArgumentException($"'{jobKey}' is not a valid job key (letters, digits, '-' and '_')", nameof(jobKey));

    /// <summary>Hands memory and pids down to the children of <paramref name="directory"/> (those not yet enabled).</summary>
    private static void EnableControllers(string directory)
    {
        var file = Path.Combine(directory, "cgroup.subtree_control");
        var enabled = CgroupFiles.Read(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = Delegated.Where(c => !enabled.Contains(c)).ToList();
        if (missing.Count == 0) return;
        try { CgroupFiles.Write(file, string.Join(" ", missing.Select(c => "+" + c))); }
        catch (CgroupException e) when (CgroupFileText.Pids(CgroupFiles.Read(Path.Combine(directory, "cgroup.procs"))).Count > 0)
        {
            throw new CgroupException($"{e.Message}: {directory} still holds processes, and a cgroup that hands controllers "
                + "to its children may hold none", e);
        }
    }
}
