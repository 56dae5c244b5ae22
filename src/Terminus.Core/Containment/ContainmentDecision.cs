using Terminus.Core.Configuration;
using Terminus.Core.Operator;

namespace Terminus.Core.Containment;

/// <summary>
/// The containment in force for a configuration, given what the cgroup detection found: decided once here, so that
/// the daemon and <c>terminus check</c> say the same.
/// </summary>
public sealed record ContainmentDecision(ContainmentChoice Choice, string Detail)
{
    private const string NoLimits = "a job's processes are still followed and killed, but no memory or task limit is enforced";

    /// <param name="cgroupUsable">Whether the detection found a usable cgroup mechanism.</param>
    /// <param name="cgroupDescription">The detection's description: the mechanism and where, or why none is usable.</param>
    public static ContainmentDecision Decide(ContainmentMode mode, bool cgroupUsable, string cgroupDescription) => mode switch
    {
        ContainmentMode.Subreaper => new(ContainmentChoice.Subreaper,
            $"process tree (subreaper), as TERMINUS_CONTAINMENT=subreaper asks: {NoLimits}"),
        _ when cgroupUsable => new(ContainmentChoice.Cgroup, cgroupDescription),
        ContainmentMode.Cgroup => new(ContainmentChoice.Refuse,
            $"TERMINUS_CONTAINMENT=cgroup, but no cgroup is usable ({cgroupDescription}): the daemon will not start"),
        _ => new(ContainmentChoice.Subreaper, $"process tree (subreaper) fallback, as no cgroup is usable ({cgroupDescription}): {NoLimits}"),
    };

    /// <summary>How <c>terminus check</c> marks it: a cgroup is fine, the fallback is a warning, a refusal a failure.</summary>
    public CheckVerdict Verdict => Choice switch
    {
        ContainmentChoice.Cgroup => CheckVerdict.Ok,
        ContainmentChoice.Subreaper => CheckVerdict.Warn,
        _ => CheckVerdict.Fail,
    };
}
