namespace Terminus.Core.Execution;

/// <summary><c>terminus_runner.json</c>: who the runner is, so it can be recognised later (pid and start time).</summary>
public sealed record RunnerRecord(int Pid, int ProcessGroup, long? StartTicks, string HostName, DateTime? StartedUtc = null);
