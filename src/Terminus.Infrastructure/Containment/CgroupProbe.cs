namespace Terminus.Infrastructure.Containment;

/// <summary>
/// What the detection found, without changing anything: the mechanism, the trees the daemon would use, a description
/// for people (the mechanism and where, or <c>none: </c> and why) and, for delegated v2, what activation must do.
/// </summary>
/// <param name="V2Owner">Delegated v2: the cgroup the daemon owns, whose subtree gets the memory and pids controllers.</param>
public sealed record CgroupProbe(
    string InstanceKey,
    CgroupMechanism Mechanism,
    IReadOnlyList<CgroupTree> Trees,
    string Description,
    string? V2Owner = null)
{
    public bool IsUsable => Mechanism != CgroupMechanism.None;

    public bool CanLimitMemory => Trees.Any(t => t.Has("memory"));

    public bool CanLimitTasks => Trees.Any(t => t.Has("pids"));
}
