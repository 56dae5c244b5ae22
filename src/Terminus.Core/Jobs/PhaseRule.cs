namespace Terminus.Core.Jobs;

/// <summary>
/// What a job does in one phase: one row of <see cref="JobLifecycle.Table"/>.
/// </summary>
/// <param name="Step">The work done in this phase; null for a phase that does nothing but report.</param>
/// <param name="Deadline">What bounds that work; past it, <paramref name="OnDeadline"/> applies.</param>
/// <param name="Status">The wire status reported on entering the phase; null for an internal phase.</param>
/// <param name="Text">The status text; null where the event that leads here gives it (a failure's own text).</param>
/// <param name="OnStarted">Where the step's start leads (only a run reports its start).</param>
/// <param name="OnSuccess">
/// Where the step's success leads; for a phase without a step, where the job moves on at once (unless the phase
/// ends the job, as <see cref="JobPhase.Succeeded"/> does in test mode).
/// </param>
/// <param name="OnFailure">The terminal phase of a failed step (reported with the step's text), and of a refusal.</param>
/// <param name="OnStepTimedOut">The terminal phase when the step itself reports that it hit its time limit.</param>
/// <param name="OnDeadline">The terminal move when <paramref name="Deadline"/> passes without an answer from the step.</param>
/// <param name="OnResume">What a job picked up from its ledger in this phase does.</param>
/// <param name="Terminal">The job ends here.</param>
/// <param name="TerminalInTestMode">The job ends here when it runs in test mode (results are not uploaded).</param>
public sealed record PhaseRule(
    JobPhase Phase,
    StepKind? Step,
    StepDeadline Deadline,
    string? Status,
    string? Text,
    JobPhase? OnStarted,
    JobPhase? OnSuccess,
    JobPhase? OnFailure,
    JobPhase? OnStepTimedOut,
    Transition? OnDeadline,
    ResumeAction OnResume,
    bool Terminal = false,
    bool TerminalInTestMode = false)
{
    public bool Ends(bool testMode) => Terminal || (testMode && TerminalInTestMode);

    /// <summary>The phases this one may lead to.</summary>
    public IEnumerable<JobPhase> Successors() =>
        new[] { OnStarted, OnSuccess, OnFailure, OnStepTimedOut, OnDeadline?.To }.OfType<JobPhase>().Distinct();
}
