using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>
/// The sandbox the daemon would use for this configuration, detected as it would, for the daemon and for
/// <c>terminus check</c>: bwrap must work here and the configured directories must make a sandbox. When it is used,
/// <see cref="Bwrap"/> is the program to run and the decision's detail says what a job sees. Jobs run through SLURM
/// are sandboxed by their node, which tries bwrap itself: here only the directories are checked.
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

        var probe = settings.UseSlurm
            ? new BubblewrapProbe(Bubblewrap.ProgramName, null, true, "jobs run through SLURM: each node runs them in bwrap where bwrap works there")
            : await Bubblewrap.ProbeAsync(pathVariable, cancellationToken: cancellationToken).ConfigureAwait(false);
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
