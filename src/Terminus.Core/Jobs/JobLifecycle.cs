namespace Terminus.Core.Jobs;

/// <summary>
/// The life of a job in one table (<see cref="Table"/>, one <see cref="PhaseRule"/> per phase) and the pure decisions
/// drawn from it: what a step's start, success, failure or deadline leads to, and what a resumed job does. The
/// JobActor only writes the transitions decided here, applies them and dispatches the phase's step.
/// </summary>
public static class JobLifecycle
{
    /// <summary>Incarnations in a row that died with the daemon, without progress, after which the job is given up.</summary>
    public const int MaxCrashResumes = 3;

    private const string RunDeadlineDetail = "no answer from the runner within the service's time limit";

    public static readonly IReadOnlyList<PhaseRule> Table =
    [
        new(JobPhase.Received, StepKind.Validate, StepDeadline.None, null, null,
            OnStarted: null, OnSuccess: JobPhase.Pending, OnFailure: JobPhase.Failed, OnStepTimedOut: null, OnDeadline: null,
            OnResume: ResumeAction.Validate),
        new(JobPhase.Pending, StepKind.Run, StepDeadline.RunStart, JobStatuses.Pending, StatusTexts.Submitted,
            OnStarted: JobPhase.Running, OnSuccess: JobPhase.Running, OnFailure: JobPhase.Failed, OnStepTimedOut: JobPhase.TimedOut,
            OnDeadline: new(JobPhase.TimedOut, StatusTexts.TimedOut, RunDeadlineDetail),
            OnResume: ResumeAction.Reattach),
        new(JobPhase.Running, StepKind.Run, StepDeadline.RunLimit, JobStatuses.Running, StatusTexts.Running,
            OnStarted: null, OnSuccess: JobPhase.Succeeded, OnFailure: JobPhase.Failed, OnStepTimedOut: JobPhase.TimedOut,
            OnDeadline: new(JobPhase.TimedOut, StatusTexts.TimedOut, RunDeadlineDetail),
            OnResume: ResumeAction.Reattach),
        new(JobPhase.Succeeded, null, StepDeadline.None, JobStatuses.Success, StatusTexts.Completed,
            OnStarted: null, OnSuccess: JobPhase.Packaging, OnFailure: JobPhase.Failed, OnStepTimedOut: null, OnDeadline: null,
            OnResume: ResumeAction.MoveOn, TerminalInTestMode: true),
        new(JobPhase.Packaging, StepKind.Package, StepDeadline.Package, null, null,
            OnStarted: null, OnSuccess: JobPhase.Uploading, OnFailure: JobPhase.Failed, OnStepTimedOut: null,
            OnDeadline: new(JobPhase.Failed, StatusTexts.TarballError, "packaging did not finish in time"),
            OnResume: ResumeAction.Redo),
        new(JobPhase.Uploading, StepKind.Upload, StepDeadline.Upload, null, null,
            OnStarted: null, OnSuccess: JobPhase.Uploaded, OnFailure: JobPhase.Failed, OnStepTimedOut: null,
            OnDeadline: new(JobPhase.Failed, StatusTexts.UploadError, "the upload did not finish in time"),
            OnResume: ResumeAction.Redo),
        new(JobPhase.Uploaded, null, StepDeadline.None, JobStatuses.Uploaded, StatusTexts.Uploaded,
            null, null, null, null, null, ResumeAction.Finish, Terminal: true),
        new(JobPhase.Failed, null, StepDeadline.None, JobStatuses.Failed, null,
            null, null, null, null, null, ResumeAction.Finish, Terminal: true),
        new(JobPhase.TimedOut, null, StepDeadline.None, JobStatuses.TimedOut, null,
            null, null, null, null, null, ResumeAction.Finish, Terminal: true),
    ];

    private static readonly IReadOnlyDictionary<JobPhase, PhaseRule> ByPhase = Table.ToDictionary(r => r.Phase);

    public static PhaseRule Rule(JobPhase phase) => ByPhase[phase];

    public static bool CanMove(JobPhase from, JobPhase to) => Rule(from).Successors().Contains(to);

    public static bool IsTerminal(JobPhase phase, bool testMode) => Rule(phase).Ends(testMode);

    /// <summary>The wire status a phase is reported with, or null for internal phases that send nothing.</summary>
    public static string? WireStatus(JobPhase phase) => Rule(phase).Status;

    /// <summary>True for the statuses after which the portal must hear nothing more about the job.</summary>
    public static bool IsTerminalStatus(string status, bool testMode) =>
        Table.Any(r => r.Status == status && r.Ends(testMode));

    /// <summary>The phase's step reported its start: the move it leads to, if any.</summary>
    public static Transition? OnStarted(JobPhase phase, StepKind step) =>
        Rule(phase) is { OnStarted: { } next } rule && rule.Step == step ? Entering(next) : null;

    /// <summary>
    /// The phase's step succeeded: the moves to write, in order. A step that succeeds before its start was seen
    /// starts first (the success then counts for the phase it led to), and phases without a step are passed through
    /// (<c>success</c> leads straight to packaging, unless the job runs in test mode). Empty for a stale reply.
    /// </summary>
    public static IReadOnlyList<Transition> OnSucceeded(JobPhase phase, StepKind step, bool testMode)
    {
        var moves = new List<Transition>();
        var rule = Rule(phase);
        if (rule.Step != step) return moves;
        while (rule.OnSuccess is { } next)
        {
            moves.Add(Entering(next));
            rule = Rule(next);
            if (rule.Ends(testMode) || (rule.Step is not null && rule.Step != step)) break;
        }
        return moves;
    }

    /// <summary>The phase's step failed (or hit its own time limit): the terminal move, or null for a stale reply.</summary>
    public static Transition? OnFailed(JobPhase phase, StepKind step, string statusText, string detail, bool timedOut = false) =>
        Rule(phase) is var rule && rule.Step == step && rule.OnFailure is { } failed
            ? new Transition(timedOut && rule.OnStepTimedOut is { } limit ? limit : failed, statusText, detail)
            : null;

    /// <summary>The phase's deadline passed with no answer from its step.</summary>
    public static Transition? OnDeadline(JobPhase phase) => Rule(phase).OnDeadline;

    /// <summary>
    /// A job picked up from its ledger in a phase that is not terminal: the moves to write before the phase's step is
    /// dispatched (with <see cref="ResumeAction.Reattach"/>, the runner re-attaches). A request that crashed the daemon
    /// while it was being taken (<paramref name="poisoned"/>), or a job whose incarnations keep dying without progress,
    /// is refused instead of being tried again.
    /// </summary>
    public static IReadOnlyList<Transition> OnResume(JobPhase phase, bool poisoned, int crashResumesWithoutProgress)
    {
        var rule = Rule(phase);
        if (poisoned)
            return [new(rule.OnFailure!.Value, StatusTexts.StoppedWithError(
                $"Terminus stopped {MaxCrashResumes} times while taking this request; it was refused and kept for inspection"),
                "the request's earlier admissions were lost to daemon crashes")];
        if (crashResumesWithoutProgress >= MaxCrashResumes)
            return [new(rule.OnFailure!.Value, StatusTexts.StoppedWithError(
                $"Terminus stopped {MaxCrashResumes} times while handling this job; it was not run again and is kept for inspection"),
                $"{MaxCrashResumes} incarnations in a row died without progress in phase {phase}")];
        return rule.OnResume == ResumeAction.MoveOn && rule.OnSuccess is { } next ? [Entering(next)] : [];
    }

    /// <summary>Entering a phase that reports its own fixed text (or nothing).</summary>
    private static Transition Entering(JobPhase phase) => new(phase, Rule(phase).Text);
}
