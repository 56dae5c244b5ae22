namespace Terminus.Core.Services;

/// <summary>
/// A post-processing service: <c>&lt;SERVICE_DIR&gt;/&lt;name&gt;/&lt;name&gt;.py</c> (or <c>.sh</c>) plus its <c>service.json</c>.
/// Node/core counts and the time limit feed SLURM and the local timeout; the optional memory and task limits bound the
/// job's cgroup (null: the host's default, see <see cref="Containment.JobLimits.For"/>).
/// </summary>
public sealed record ServiceDefinition(
    string Name,
    string Directory,
    ServiceType Type,
    string Interpreter,
    string ScriptPath,
    int Nodes,
    int Cores,
    int TimeoutMinutes)
{
    public const int DefaultNodes = 1;
    public const int DefaultCores = 8;
    public const int DefaultTimeoutMinutes = 30;

    /// <summary><c>memory_mb</c>: the memory the job may use, in MiB.</summary>
    public int? MemoryMb { get; init; }

    /// <summary><c>max_tasks</c>: the most processes and threads the job may have at once.</summary>
    public int? MaxTasks { get; init; }
}
