namespace Terminus.Core.Jobs;

/// <summary>
/// How a step of a job ended, as data (never an exception): the status text the portal gets and a detail for
/// the operator's log. Produced by the executors and by the pure decisions about their records.
/// </summary>
public abstract record StepOutcome
{
    public sealed record Succeeded : StepOutcome;
    public sealed record Failed(string StatusText, string Detail) : StepOutcome;
    public sealed record TimedOut(string Detail) : StepOutcome;
}
