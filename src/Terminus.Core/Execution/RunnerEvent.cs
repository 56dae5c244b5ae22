namespace Terminus.Core.Execution;

/// <summary>One line of <c>terminus_status.jsonl</c>.</summary>
public sealed record RunnerEvent(string Status, string Message);
