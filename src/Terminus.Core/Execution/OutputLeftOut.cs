namespace Terminus.Core.Execution;

/// <summary>
/// An entry of <c>out/</c> kept out of the tarball, and why, so the lab's user learns what is missing (in
/// <c>out/job.log</c>) and the operator too (in the daemon's log, with a link's target).
/// </summary>
public sealed record OutputLeftOut(RawPath Path, string Reason, RawName? LinkTarget = null)
{
    /// <summary>For the user: the name below <c>out/</c> and the reason, never a server path.</summary>
    public override string ToString() => $"{Path} ({Reason})";

    /// <summary>For the operator: also where a link pointed.</summary>
    public string WithTarget() => LinkTarget is { } target ? $"{Path} -> {target} ({Reason})" : ToString();
}
