namespace Terminus.Infrastructure.Processes;

/// <summary>The output of one command; exit code 127 when it could not be started, 124 when it did not answer in time.</summary>
public sealed record CommandResult(int ExitCode, string StdOut, string StdErr);
