using Terminus.Core.Jobs;

namespace Terminus.Core.Execution;

/// <summary>
/// Turns a run's records into its outcome, with 0.7's texts. Success needs the runner's own word (its exit
/// record or its "completed" event): a process that just went away is never taken for a success.
/// </summary>
public static class RunVerdict
{
    public static StepOutcome Decide(RunObservation o)
    {
        if (!o.JobDirExists)
            return new StepOutcome.Failed(StatusTexts.JobDirRemoved, "the job directory disappeared while the service ran");
        if (o.KilledAtTimeLimit)
            return new StepOutcome.TimedOut($"the service ran longer than its time limit of {o.TimeLimitMinutes} min and was killed");

        var outcome = FromRecords(o);
        return o.OomKills > 0 && outcome is not StepOutcome.Succeeded
            ? new StepOutcome.Failed(StatusTexts.StoppedWithError(o.MemoryLimitMb is { } mb
                    ? $"the job ran out of memory: it used more than its limit of {mb} MB and the kernel killed it"
                    : "the job ran out of memory and the kernel killed it"),
                $"{o.OomKills} process(es) of the job killed for memory; {Describe(o)}")
            : outcome;
    }

    private static StepOutcome FromRecords(RunObservation o)
    {
        var final = o.Exit is { } exit
            ? new RunnerEvent(exit.Status, exit.Message)
            : o.Events.LastOrDefault(e => RunnerStatus.IsFinal(e.Status));
        switch (final?.Status)
        {
            case RunnerStatus.Completed:
                return new StepOutcome.Succeeded();
            case RunnerStatus.Failed:
                return new StepOutcome.Failed(StatusTexts.StoppedWithError(final.Message), Describe(o));
            case RunnerStatus.TimedOut:
                return new StepOutcome.TimedOut($"the service was stopped by SIGTERM ({Describe(o)})");
        }
        return o.ProcessExitCode is { } code
            ? code == LocalLaunch.CgroupRefused && o.Events.Count == 0
                ? new StepOutcome.Failed(StatusTexts.StoppedWithError("the job could not be placed in its control group on the Terminus host"),
                    "the launcher could not write its pid into the job's cgroup (see stderr.log)")
                : new StepOutcome.Failed(StatusTexts.StoppedWithError("the job ended without reporting a result"),
                $"the job runner exited with {DescribeWaitStatus(code)} and wrote no result")
            : new StepOutcome.Failed(StatusTexts.StoppedWithError("the job's process disappeared without reporting a result"),
                "no exit record and no final status from the runner");
    }

    private static string Describe(RunObservation o) => o.Exit switch
    {
        { Signal: { } s } => $"runner exit record: killed by signal {s}",
        { ExitCode: { } c } => $"runner exit record: exit code {c}",
        _ => o.ProcessExitCode is { } p ? $"runner {DescribeWaitStatus(p)}" : "no exit record",
    };

    /// <summary>.NET reports a child killed by signal N as exit code 128+N.</summary>
    public static string DescribeWaitStatus(int code) => code > 128 && code < 128 + 65 ? $"signal {code - 128}" : $"exit code {code}";
}
