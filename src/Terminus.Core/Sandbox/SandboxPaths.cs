using Terminus.Core.Configuration;

namespace Terminus.Core.Sandbox;

/// <summary>
/// What the sandbox of one job is made of: absolute, canonical paths (symbolic links already resolved, so that nesting
/// shows in the strings). <see cref="DotDir"/> and <see cref="LedgerDir"/> are null when they do not exist (nothing to
/// hide, and bwrap must not create them); <see cref="JobDir"/> lies inside <see cref="JobRoot"/>.
/// </summary>
/// <param name="DataLinkTargets">Where the symbolic links in the data directory lead (the datasource snapshots).</param>
/// <remarks><see cref="TmpDir"/> is the host directory shown as the job's <c>/tmp</c>; null: an empty tmpfs.</remarks>
public sealed record SandboxPaths(
    string DataDir,
    IReadOnlyList<string> DataLinkTargets,
    string? DotDir,
    string? LedgerDir,
    string JobRoot,
    string JobDir,
    string ServiceDir,
    SandboxDataMode DataMode)
{
    /// <summary>The directory, in the job directory root, that holds each job's <c>/tmp</c> (hidden from every job).</summary>
    public const string ScratchDirName = ".terminus-tmp";

    /// <summary>Where a job's <c>/tmp</c> lives on the host: on the disk of the job directories, not in memory.</summary>
    public static string ScratchDirFor(string jobRoot, string jobName) => System.IO.Path.Combine(jobRoot, ScratchDirName, jobName);

    public string? TmpDir { get; init; }
}
