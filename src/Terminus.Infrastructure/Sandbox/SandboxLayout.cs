using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Sandbox;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>
/// The sandbox paths of one job as this host has them: the configured directories with their links resolved, the
/// data directory's link targets as they are now, and the dot dir and the ledger's directory only when they exist
/// (bwrap would otherwise create them on the host), and the job's <c>/tmp</c> in the job directory root.
/// </summary>
public static class SandboxLayout
{
    /// <exception cref="SandboxPathsException">The job name is not a single directory name.</exception>
    public static SandboxPaths For(TerminusSettings settings, string jobName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!PathRules.IsSafeSegment(jobName)) throw new SandboxPathsException($"'{jobName}' is not a job directory name");
        var dataDir = Canonical(settings.DataDir);
        var jobRoot = Canonical(settings.JobDir);
        return new SandboxPaths(
            DataDir: dataDir,
            DataLinkTargets: DataLinkTargets.Find(dataDir),
            DotDir: RealPath.Of(settings.DotDir),
            LedgerDir: Path.GetDirectoryName(settings.LedgerPath) is { } ledgerDir ? RealPath.Of(ledgerDir) : null,
            JobRoot: jobRoot,
            JobDir: Path.Combine(jobRoot, jobName),
            ServiceDir: Canonical(settings.ServiceDir),
            DataMode: settings.Execution.SandboxData) { TmpDir = SandboxPaths.ScratchDirFor(jobRoot, jobName) };
    }

    // The three job directories existed when the settings were loaded; should one have gone, its path as configured
    // still makes a valid rule, and bwrap says what is missing.
    private static string Canonical(string path) => RealPath.Of(path) ?? path;
}
