namespace Terminus.Core.Operator;

/// <summary>One simulation of a datasource file and the snapshot directories it links.</summary>
public sealed record DatasourceSimulation(string Alias, IReadOnlyList<string> SnapshotPaths);
