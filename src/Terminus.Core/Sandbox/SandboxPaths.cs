using Terminus.Core.Configuration;

namespace Terminus.Core.Sandbox;

/// <summary>
/// What the sandbox of one job is made of: absolute, canonical paths (symbolic links already resolved, so that nesting
/// shows in the strings). <see cref="DotDir"/> and <see cref="LedgerDir"/> are null when they do not exist (nothing to
/// hide, and bwrap must not create them); <see cref="JobDir"/> lies inside <see cref="JobRoot"/>.
/// </summary>
/// <param name="DataLinkTargets">Where the symbolic links in the data directory lead (the datasource snapshots).</param>
public sealed record SandboxPaths(
    string DataDir,
    IReadOnlyList<string> DataLinkTargets,
    string? DotDir,
    string? LedgerDir,
    string JobRoot,
    string JobDir,
    string ServiceDir,
    SandboxDataMode DataMode);
