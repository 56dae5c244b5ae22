namespace Terminus.Core.Execution;

/// <summary>
/// The command that starts a local job: <c>/bin/sh</c> with a fixed script that first puts itself into the job's
/// cgroups (so everything the job starts is born inside them), makes itself the kernel's first choice when memory
/// runs out (before the daemon), redirects the runner's output to files in the job directory and <c>exec</c>s
/// <c>setsid</c>, so the command keeps the shell's pid and leads its own session. Output goes to files, never to
/// pipes: a chatty service cannot block, and the job outlives a daemon restart. Every path travels as an argument,
/// never inside the script text.
/// </summary>
public static class LocalLaunch
{
    public const string Shell = "/bin/sh";

    /// <summary>The shell's exit code when it could not enter a cgroup of the job (the runner never started).</summary>
    public const int CgroupRefused = 70;

    /// <summary>The sandboxed shell's exit code when it could not write its proof (the runner never started).</summary>
    public const int ProofRefused = 72;

    /// <summary>The OOM score a job's processes take (the daemon lowers its own where it may).</summary>
    public const int JobOomScoreAdj = 500;

    /// <summary>The line the sandboxed shell writes to its proof file once the sandbox is made.</summary>
    public const string ProofLine = "sandbox made";

    public const string Script =
        "o=$1 e=$2 p=$3 n=$4; shift 4; " +
        "while [ \"$n\" -gt 0 ]; do echo $$ >\"$1\" || { echo \"terminus: cannot enter the job's cgroup $1\" >>\"$e\"; exit 70; }; shift; n=$((n-1)); done; " +
        "echo 500 >/proc/self/oom_score_adj 2>/dev/null; " +
        "if [ -n \"$p\" ]; then exec 3>>\"$p\"; fi; " +
        "exec setsid \"$@\" </dev/null >>\"$o\" 2>>\"$e\"";

    /// <summary>
    /// What runs first inside a sandbox: it writes <see cref="ProofLine"/> to descriptor 3 (the proof file, opened by
    /// <see cref="Script"/> outside the sandbox, in a directory the job cannot see) and becomes the runner with the
    /// descriptor closed, so nothing of the job can write the proof. An empty proof after the run therefore proves
    /// the runner never started: the sandbox could not be made.
    /// </summary>
    public static readonly string SandboxedScript = $"echo '{ProofLine}' >&3 || exit {ProofRefused}; exec \"$@\" 3>&-";

    /// <param name="proofFile">Where a sandboxed command proves its sandbox was made (see <see cref="InSandbox"/>), or null.</param>
    /// <param name="command">The runner's command line, or the sandbox's around it.</param>
    public static IReadOnlyList<string> Arguments(string stdoutFile, string stderrFile, string? proofFile, IReadOnlyList<string> cgroupProcsFiles,
        IReadOnlyList<string> command) =>
        ["-c", Script, "terminus-launch", stdoutFile, stderrFile, proofFile ?? "",
            cgroupProcsFiles.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. cgroupProcsFiles, .. command];

    /// <summary>The command to run inside the sandbox for <paramref name="command"/>: the proof, then the command.</summary>
    public static IReadOnlyList<string> InSandbox(IReadOnlyList<string> command) => [Shell, "-c", SandboxedScript, "terminus-sandboxed", .. command];

    /// <summary>Whether a proof file's text says the sandbox was made.</summary>
    public static bool SandboxWasMade(string? proofText) => proofText?.Contains(ProofLine, StringComparison.Ordinal) == true;
}
