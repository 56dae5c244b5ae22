namespace Terminus.Core.Execution;

/// <summary>
/// What the daemon itself knows of a run's processes, from its ledger, never from the runner's own files (which the
/// service can rewrite): the token in the environment of everything the job starts, and, once the runner was
/// launched, its pid and start time (clock ticks since boot) and the key of the job's cgroup. A process is signalled
/// only if it is tied to the job by these.
/// </summary>
public sealed record RunIdentity(string Token, int? Pid = null, long? StartTicks = null, string? Cgroup = null)
{
    /// <summary>The environment variable that carries <see cref="Token"/>.</summary>
    public const string TokenVariable = "TERMINUS_RUN_TOKEN";
}
