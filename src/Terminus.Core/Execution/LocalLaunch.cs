namespace Terminus.Core.Execution;

/// <summary>
/// The command that starts a local job: <c>/bin/sh</c> with a fixed script that first puts itself into the job's
/// cgroups (so everything the job starts is born inside them), makes itself the kernel's first choice when memory
/// runs out (before the daemon), redirects the runner's output to files in the job directory and <c>exec</c>s
/// <c>setsid</c>, so the runner keeps the shell's pid and leads its own session. Output goes to files, never to
/// pipes: a chatty service cannot block, and the job outlives a daemon restart. Every path travels as an argument,
/// never inside the script text.
/// </summary>
public static class LocalLaunch
{
    public const string Shell = "/bin/sh";

    /// <summary>The shell's exit code when it could not enter a cgroup of the job (the runner never started).</summary>
    public const int CgroupRefused = 70;

    /// <summary>The OOM score a job's processes take (the daemon lowers its own where it may).</summary>
    public const int JobOomScoreAdj = 500;

    public const string Script =
        "o=$1 e=$2 n=$3; shift 3; " +
        "while [ \"$n\" -gt 0 ]; do echo $$ >\"$1\" || { echo \"terminus: cannot enter the job's cgroup $1\" >>\"$e\"; exit 70; }; shift; n=$((n-1)); done; " +
        "echo 500 >/proc/self/oom_score_adj 2>/dev/null; " +
        "exec setsid \"$@\" </dev/null >>\"$o\" 2>>\"$e\"";

    public static IReadOnlyList<string> Arguments(string stdoutFile, string stderrFile, IReadOnlyList<string> cgroupProcsFiles, string interpreter,
        string runnerScript, string requestFile) =>
        ["-c", Script, "terminus-launch", stdoutFile, stderrFile, cgroupProcsFiles.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. cgroupProcsFiles, interpreter, runnerScript, requestFile];
}
