namespace Terminus.Core.Operator;

/// <summary>Where and as whom the daemon runs under systemd.</summary>
public sealed record UnitOptions(string User, string Group, string DotDir, string JobDir, string ExecStart, string HostName);
