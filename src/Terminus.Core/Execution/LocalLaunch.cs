namespace Terminus.Core.Execution;

/// <summary>
/// The command that starts a local job: <c>/bin/sh</c> with a fixed script that redirects the runner's output to
/// files in the job directory and <c>exec</c>s <c>setsid</c>, so the runner keeps the shell's pid and leads its own
/// session and process group. Output goes to files, never to pipes: a chatty service cannot block, and the job
/// outlives a daemon restart. Every path travels as an argument, never inside the script text.
/// </summary>
public static class LocalLaunch
{
    public const string Shell = "/bin/sh";

    public const string Script = "o=$1 e=$2; shift 2; exec setsid \"$@\" </dev/null >>\"$o\" 2>>\"$e\"";

    public static IReadOnlyList<string> Arguments(string stdoutFile, string stderrFile, string interpreter, string runnerScript, string requestFile) =>
        ["-c", Script, "terminus-launch", stdoutFile, stderrFile, interpreter, runnerScript, requestFile];
}
