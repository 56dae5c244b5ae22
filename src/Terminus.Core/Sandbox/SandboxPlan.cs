using Terminus.Core.Configuration;
using Terminus.Core.Text;

namespace Terminus.Core.Sandbox;

/// <summary>
/// The bubblewrap command line of one job: the host's whole file system (<c>--dev-bind / /</c>), then one mount per
/// rule, outer paths before the paths inside them, so the innermost rule decides (the job directory bound back inside
/// the hidden job root, the data directory inside a hidden directory shown again). A rule that changes nothing (a
/// read-only path inside a read-only one, a hidden path inside a hidden one) is left out. No pid namespace (the daemon
/// follows jobs by pid and cgroup), no <c>--die-with-parent</c> (jobs outlive the daemon), no <c>--new-session</c>
/// (the launcher calls setsid). A user namespace of its own and no capabilities (<see cref="Isolation"/>), even for a
/// daemon run as root: a job cannot undo its mounts, nor reach the daemon's or another job's files through
/// <c>/proc/PID/root</c>, <c>cwd</c> or <c>fd</c>. Pure: every path travels as an argument of its own.
/// </summary>
public sealed class SandboxPlan
{
    public const string Tmp = "/tmp";

    /// <summary>What every sandbox starts with: a user namespace of the job's own, no capabilities, the whole file system.</summary>
    public static readonly IReadOnlyList<string> Isolation = ["--unshare-user", "--cap-drop", "ALL", "--dev-bind", "/", "/"];

    /// <summary>bwrap's arguments that try, on a host, the kinds of mounts a job's sandbox makes.</summary>
    public static readonly IReadOnlyList<string> TrialArguments = [.. Isolation, "--tmpfs", Tmp, "--", "/bin/true"];

    private readonly IReadOnlyList<SandboxMount> _rules;

    private SandboxPlan(SandboxPaths paths, IReadOnlyList<SandboxMount> rules, IReadOnlyList<SandboxMount> mounts)
    {
        Paths = paths;
        _rules = rules;
        Mounts = mounts;
    }

    /// <summary>What the plan was made from.</summary>
    public SandboxPaths Paths { get; }

    /// <summary>The mounts, in the order bwrap makes them.</summary>
    public IReadOnlyList<SandboxMount> Mounts { get; }

    /// <exception cref="SandboxPathsException">A path is relative or odd, the job's directory is not inside the job root,
    /// or two configured directories are the same path with different rules.</exception>
    public static SandboxPlan Create(SandboxPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var data = paths.DataMode == SandboxDataMode.ReadOnly ? SandboxMountKind.ReadOnly : SandboxMountKind.Writable;
        var configured = new List<SandboxMount>
        {
            new(data, paths.DataDir, "the data directory (TERMINUS_DATA_DIR)"),
            new(SandboxMountKind.Hidden, paths.JobRoot, "the job directory root (TERMINUS_JOB_DIR)"),
            new(SandboxMountKind.Writable, paths.JobDir, "the job's own directory"),
            new(SandboxMountKind.ReadOnly, paths.ServiceDir, "the service directory (TERMINUS_SERVICE_DIR)"),
            new(SandboxMountKind.Private, Tmp, "/tmp", Source: paths.TmpDir),
        };
        if (paths.DotDir is { } dot) configured.Add(new(SandboxMountKind.Hidden, dot, "the daemon's configuration directory (TERMINUS_DOT_DIR)"));
        if (paths.LedgerDir is { } ledger) configured.Add(new(SandboxMountKind.Hidden, ledger, "the ledger's directory"));
        var links = paths.DataLinkTargets.Select(t => new SandboxMount(data, t, "a datasource link target", Optional: true)).ToList();

        foreach (var m in configured.Concat(links))
            if (SandboxPathCheck.Problem(m.Path) is { } problem)
                throw new SandboxPathsException($"{m.Role}: '{Printable.Line(m.Path, 300)}' cannot be used in the sandbox: {problem}");
        if (paths.TmpDir is { } tmp && (SandboxPathCheck.Problem(tmp) is not null || !SandboxPathCheck.IsInside(tmp, paths.JobRoot) || SandboxPathCheck.IsInside(tmp, paths.JobDir)))
            throw new SandboxPathsException($"the job's /tmp '{Printable.Line(tmp, 300)}' must lie in the job directory root {paths.JobRoot}, outside the job's own directory");
        if (!SandboxPathCheck.IsInside(paths.JobDir, paths.JobRoot))
            throw new SandboxPathsException($"the job's own directory {paths.JobDir} is not inside the job directory root {paths.JobRoot}");

        var rules = Merge(configured, links);
        return new SandboxPlan(paths, rules, WithoutNoOps(rules));
    }

    /// <summary>bwrap's options, without the program and without the command.</summary>
    public IReadOnlyList<string> Options() => [.. Isolation, .. Mounts.SelectMany(m => m.Options())];

    /// <summary>The whole command line: <c>bwrap OPTIONS -- COMMAND…</c>.</summary>
    public IReadOnlyList<string> CommandLine(string bwrap, IReadOnlyList<string> command)
    {
        if (command.Count == 0) throw new ArgumentException("the sandbox needs a command to run", nameof(command));
        return [bwrap, .. Options(), "--", .. command];
    }

    /// <summary>What a job sees, in a few words (for <c>terminus check</c> and the daemon's log).</summary>
    public string Summary()
    {
        var hidden = _rules.Where(r => r.Kind == SandboxMountKind.Hidden && r.Path != Paths.JobRoot).Select(r => r.Path).ToList();
        var readOnly = _rules.Where(r => r.Kind == SandboxMountKind.ReadOnly && !r.Optional).Select(r => r.Path).ToList();
        var links = Paths.DataLinkTargets.Count;
        var linksText = $"{links} datasource link target{(links == 1 ? "" : "s")}";
        if (Paths.DataMode == SandboxDataMode.ReadOnly) readOnly.Add(linksText);
        var text = $"hidden: {(hidden.Count == 0 ? "nothing" : string.Join(", ", hidden))}; read-only: {string.Join(", ", readOnly)}; "
            + $"in {Paths.JobRoot} only the job's own directory; a private /tmp";
        return Paths.DataMode == SandboxDataMode.ReadOnly ? text : $"{text}; writable as TERMINUS_SANDBOX_DATA=rw asks: {Paths.DataDir} and {linksText}";
    }

    // One rule per path. Link targets give way to the configured directories; two configured directories that are one
    // path must agree (or the sandbox would have to make it both, say, hidden and read-only).
    private static List<SandboxMount> Merge(List<SandboxMount> configured, List<SandboxMount> links)
    {
        var byPath = new Dictionary<string, SandboxMount>(StringComparer.Ordinal);
        foreach (var m in configured)
        {
            if (!byPath.TryGetValue(m.Path, out var other)) byPath[m.Path] = m;
            else if (other.Kind == m.Kind) byPath[m.Path] = other with { Role = $"{other.Role} and {m.Role}" };
            else throw new SandboxPathsException($"{other.Role} and {m.Role} are the same directory, {m.Path}: the sandbox cannot make it both "
                + $"{Describe(other.Kind)} and {Describe(m.Kind)}");
        }
        foreach (var m in links) byPath.TryAdd(m.Path, m);
        return byPath.Values.OrderBy(m => m.Path.Count(c => c == '/')).ThenBy(m => m.Path, StringComparer.Ordinal).ToList();
    }

    // Outer paths first: a mount is needed only where it changes what the innermost mount above it shows.
    private static List<SandboxMount> WithoutNoOps(List<SandboxMount> ordered)
    {
        var made = new List<SandboxMount>();
        foreach (var m in ordered)
        {
            var above = made.LastOrDefault(a => SandboxPathCheck.IsInside(m.Path, a.Path));
            if (!m.LooksLike(above?.Kind ?? SandboxMountKind.Writable)) made.Add(m);
        }
        return made;
    }

    private static string Describe(SandboxMountKind kind) => kind switch
    {
        SandboxMountKind.ReadOnly => "read-only",
        SandboxMountKind.Writable => "writable",
        SandboxMountKind.Hidden => "hidden",
        _ => "the job's private /tmp",
    };
}
