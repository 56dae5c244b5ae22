using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>
/// The sandbox the daemon would use for this configuration, detected as it would, for the daemon and for
/// <c>terminus check</c>: bwrap must work here and the configured directories must make a sandbox. When it is used,
/// <see cref="Bwrap"/> is the program to run and the decision's detail says what a job sees.
/// </summary>
public sealed record SandboxDetection(SandboxDecision Decision, string? Bwrap)
{
    /// <summary>A job name for the example plan: what a job sees does not depend on its name.</summary>
    public const string ExampleJobName = "0_example";

    /// <param name="pathVariable">The PATH bwrap is looked up on (the daemon's own).</param>
    public static async Task<SandboxDetection> RunAsync(TerminusSettings settings, string? pathVariable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var mode = settings.Execution.Sandbox;
        if (mode == SandboxMode.Off) return new(SandboxDecision.Decide(mode, false, ""), null);

        var probe = await Bubblewrap.ProbeAsync(pathVariable, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!probe.Works) return new(SandboxDecision.Decide(mode, false, probe.Description), null);
        try
        {
            var plan = SandboxPlan.Create(SandboxLayout.For(settings, ExampleJobName));
            return new(SandboxDecision.Decide(mode, true, $"{probe.Description}; {plan.Summary()}"), probe.Program);
        }
        catch (SandboxPathsException e)
        {
            return new(SandboxDecision.Decide(mode, false, $"the configured directories make no sandbox: {e.Message}"), null);
        }
    }
}
