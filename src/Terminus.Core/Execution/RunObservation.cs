namespace Terminus.Core.Execution;

/// <summary>What the daemon knows about a service run once the runner has ended (or could not be found).</summary>
/// <param name="Events">Everything the runner appended to its status file.</param>
/// <param name="Exit">The runner's exit record, when it wrote one.</param>
/// <param name="ProcessExitCode">The wait status seen by the daemon, when the runner was its child.</param>
/// <param name="KilledAtTimeLimit">The daemon killed the run because it reached the service's time limit.</param>
/// <param name="JobDirExists">False when the job directory was removed under the running job.</param>
/// <param name="OomKills">How many of the job's processes the kernel killed for memory (from its cgroup; 0 without one).</param>
/// <param name="MemoryLimitMb">The job's memory limit, when it has one.</param>
public sealed record RunObservation(
    IReadOnlyList<RunnerEvent> Events,
    ExitRecord? Exit,
    int? ProcessExitCode,
    bool KilledAtTimeLimit,
    bool JobDirExists,
    int TimeLimitMinutes,
    long OomKills = 0,
    long? MemoryLimitMb = null);
