using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Sandbox;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>
/// The sandbox the daemon decided on at start, made for each job: bwrap's command line from the job's paths as they
/// are at its launch (a snapshot linked since start is protected too), and the proof file that tells, once the run is
/// over, whether the sandbox was made (<see cref="LocalLaunch.SandboxedScript"/>). The proof files live in the dot
/// dir, which no job sees.
/// </summary>
public sealed class JobSandbox(TerminusSettings settings, SandboxDetection detection)
{
    /// <summary>The sandbox of a daemon that runs its jobs without one.</summary>
    public static JobSandbox Off(TerminusSettings settings) =>
        new(settings, new SandboxDetection(SandboxDecision.Decide(SandboxMode.Off, false, ""), null));

    /// <summary>Whether jobs run in a sandbox.</summary>
    public bool IsOn => detection is { Decision.Choice: SandboxChoice.Sandbox, Bwrap: not null };

    /// <summary>What the operator asked for: under <c>on</c> a job whose sandbox cannot be made fails; under <c>auto</c> it runs without.</summary>
    public SandboxMode Mode => settings.Execution.Sandbox;

    public SandboxDecision Decision => detection.Decision;

    public string DataDir => settings.DataDir;

    public bool DataReadOnly => settings.Execution.SandboxData == SandboxDataMode.ReadOnly;

    public string ProofDir => settings.RunDir;

    public string ProofFile(string jobName) => Path.Combine(ProofDir, $"{jobName}.sandbox");

    /// <exception cref="SandboxPathsException">The job's directories make no sandbox.</exception>
    public SandboxPlan PlanFor(string jobName) => SandboxPlan.Create(SandboxLayout.For(settings, jobName));

    /// <summary>
    /// bwrap's command line that runs <paramref name="command"/> in the job's sandbox once it proved it was made, and the
    /// fresh (absent) proof file of this launch. The proof's directory is made first, so that the plan hides it; the
    /// job's <c>/tmp</c> is made empty.
    /// </summary>
    /// <exception cref="SandboxPathsException">The job's directories make no sandbox.</exception>
    /// <exception cref="IOException">The proof's directory cannot be made.</exception>
    public SandboxedLaunch Prepare(string jobName, IReadOnlyList<string> command)
    {
        if (!IsOn) throw new InvalidOperationException("jobs run without a sandbox here");
        Directory.CreateDirectory(ProofDir);
        var plan = PlanFor(jobName);
        if (plan.Paths.DotDir is not { } dot || !SandboxPathCheck.IsInside(RealPath.Of(ProofDir) ?? ProofDir, dot))
            throw new SandboxPathsException($"the sandbox's proof directory {ProofDir} would be visible to the job");
        var proof = ProofFile(jobName);
        File.Delete(proof);
        if (plan.Paths.TmpDir is { } tmp)
        {
            DeleteTree(tmp);
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the sandbox is Linux's");
            Directory.CreateDirectory(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new SandboxedLaunch(plan.CommandLine(detection.Bwrap!, LocalLaunch.InSandbox(command)), proof);
    }

    /// <summary>Whether the job's last sandboxed launch made its sandbox; null when it had none (no proof file).</summary>
    public bool? WasMade(string jobName)
    {
        try
        {
            return LocalLaunch.SandboxWasMade(File.ReadAllText(ProofFile(jobName)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The host directory that is the job's <c>/tmp</c>.</summary>
    public string TmpDir(string jobName) => SandboxPaths.ScratchDirFor(RealPath.Of(settings.JobDir) ?? settings.JobDir, jobName);

    /// <summary>Deletes the job's proof file and its <c>/tmp</c> once its run has an outcome.</summary>
    public void Release(string jobName)
    {
        try { File.Delete(ProofFile(jobName)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        DeleteTree(TmpDir(jobName));
    }

    // Directory.Delete removes links without following them: what a job links to from its /tmp is left alone.
    private static void DeleteTree(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
