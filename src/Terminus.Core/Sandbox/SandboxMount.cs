namespace Terminus.Core.Sandbox;

/// <summary>
/// One rule of the sandbox: a path, how it looks inside, and what it is (for messages). An optional mount is skipped
/// by bwrap when its source has gone (a snapshot removed between the scan and the launch: nothing left to protect).
/// A private mount with a <paramref name="Source"/> shows that host directory there, else an empty tmpfs.
/// </summary>
public sealed record SandboxMount(SandboxMountKind Kind, string Path, string Role, bool Optional = false, string? Source = null)
{
    /// <summary>Hidden and private paths look the same: nothing of what the host has there.</summary>
    internal bool LooksLike(SandboxMountKind kind) => Look(Kind) == Look(kind);

    private static int Look(SandboxMountKind kind) => kind is SandboxMountKind.Private ? (int)SandboxMountKind.Hidden : (int)kind;

    /// <summary>bwrap's options for this mount (the path is both source and destination).</summary>
    public IEnumerable<string> Options() => Kind switch
    {
        SandboxMountKind.ReadOnly => [Optional ? "--ro-bind-try" : "--ro-bind", Path, Path],
        SandboxMountKind.Writable => [Optional ? "--bind-try" : "--bind", Path, Path],
        SandboxMountKind.Private when Source is not null => ["--bind", Source, Path],
        _ => ["--tmpfs", Path],
    };
}
