namespace Terminus.Core.Jobs;

/// <summary>
/// One move of a job, decided by <see cref="JobLifecycle"/> and written to the job's ledger before it is acted on.
/// With a <paramref name="StatusText"/>, the phase's wire status is queued for the portal with that text.
/// </summary>
/// <param name="Detail">For the operator's log only, never sent.</param>
public sealed record Transition(JobPhase To, string? StatusText, string Detail = "");
