namespace Terminus.Core.Execution;

/// <summary>What will go into the tarball, in archive order, and what was left out and why.</summary>
public sealed record OutputPlan(IReadOnlyList<OutputEntry> Entries, long TotalBytes, IReadOnlyList<string> Skipped);
