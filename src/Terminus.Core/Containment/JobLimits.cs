using Terminus.Core.Configuration;
using Terminus.Core.Services;

namespace Terminus.Core.Containment;

/// <summary>What a job's cgroup is bounded to: memory in MiB and tasks (processes and threads); null = no limit.</summary>
public sealed record JobLimits(int? MemoryMb, int? MaxTasks)
{
    public static readonly JobLimits None = new(null, null);

    public long? MemoryBytes => MemoryMb * 1024L * 1024L;

    /// <summary>A job's limits: the service's own (<c>memory_mb</c>, <c>max_tasks</c>), else the host's defaults.</summary>
    public static JobLimits For(ServiceDefinition service, ExecutionSettings host) =>
        new(service.MemoryMb ?? host.JobMemoryMb, service.MaxTasks ?? host.JobMaxTasks);

    public override string ToString() =>
        $"{(MemoryMb is { } mb ? $"{mb} MB of memory" : "no memory limit")}, {(MaxTasks is { } n ? $"{n} tasks" : "no task limit")}";
}
