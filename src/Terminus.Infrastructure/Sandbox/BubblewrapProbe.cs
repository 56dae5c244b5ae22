namespace Terminus.Infrastructure.Sandbox;

/// <summary>What the detection found: bwrap's path and version when installed, whether it works here, and in words.</summary>
public sealed record BubblewrapProbe(string? Program, string? Version, bool Works, string Description);
