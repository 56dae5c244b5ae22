namespace Terminus.Core.Operator;

/// <summary>A snapshot link to make under <c>DATA_DIR/cat/proj/sim/</c>, and what is there now.</summary>
public sealed record PlannedLink(string Simulation, string LinkPath, string Target, LinkState State, string? CurrentTarget);
