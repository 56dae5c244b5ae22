using Terminus.Core.Configuration;
using Terminus.Core.Operator;

namespace Terminus.Core.Sandbox;

/// <summary>
/// The sandbox in force for a configuration, given what the detection found: decided once here, so that the daemon
/// and <c>terminus check</c> say the same. <c>auto</c> never stops the daemon; <c>on</c> does, with the reason.
/// </summary>
public sealed record SandboxDecision(SandboxChoice Choice, string Detail)
{
    private const string Unprotected = "jobs see the whole file system as the daemon does, its secret and ledger included";

    /// <param name="usable">Whether bwrap works here and the configured directories make a sandbox.</param>
    /// <param name="description">What works (bwrap, its version and path), or why nothing does.</param>
    public static SandboxDecision Decide(SandboxMode mode, bool usable, string description) => mode switch
    {
        SandboxMode.Off => new(SandboxChoice.Unsandboxed, $"no sandbox, as TERMINUS_SANDBOX=off asks: {Unprotected}"),
        _ when usable => new(SandboxChoice.Sandbox, description),
        SandboxMode.On => new(SandboxChoice.Refuse, $"TERMINUS_SANDBOX=on, but jobs cannot be sandboxed here ({description}): the daemon will not start"),
        _ => new(SandboxChoice.Unsandboxed, $"no sandbox, as it cannot be used here ({description}): {Unprotected}"),
    };

    /// <summary>How <c>terminus check</c> marks it: a sandbox is fine, none a warning, a refusal a failure.</summary>
    public CheckVerdict Verdict => Choice switch
    {
        SandboxChoice.Sandbox => CheckVerdict.Ok,
        SandboxChoice.Unsandboxed => CheckVerdict.Warn,
        _ => CheckVerdict.Fail,
    };
}
