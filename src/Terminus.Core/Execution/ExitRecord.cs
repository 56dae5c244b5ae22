namespace Terminus.Core.Execution;

/// <summary><c>terminus_exit.json</c>: the runner's last word, written atomically as it ends.</summary>
public sealed record ExitRecord(string Status, string Message, int? ExitCode, int? Signal);
