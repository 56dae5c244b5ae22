using System.Text;
using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;

namespace Terminus.Core.Slurm;

/// <summary>
/// The end of a SLURM batch script that runs the runner inside the job's sandbox where bwrap works on the node (tried
/// first, as the daemon tries its own host), and otherwise as before with a line in <c>out/job.log</c> (<c>auto</c>)
/// or not at all (<c>on</c>, exit <see cref="Unavailable"/>). A node may lack what the daemon's host has: a hidden
/// directory missing there is skipped (bwrap would create it), a missing bind source too (<c>-try</c>), except the
/// job's own directory. The job's <c>/tmp</c> is made on the node when missing (an empty tmpfs if it cannot be).
/// </summary>
public static class SlurmSandboxScript
{
    /// <summary>The batch script's exit code when <c>on</c> finds no working bwrap on the node (the runner never started).</summary>
    public const int Unavailable = 71;

    public static string Lines(SlurmSandbox sandbox, string runnerCommand, string jobLog)
    {
        var s = new StringBuilder();
        var mode = sandbox.Mode == SandboxMode.On ? "on" : "auto";
        s.Append($"# The sandbox (TERMINUS_SANDBOX={mode}): the runner runs inside bwrap where bwrap works on this node; ");
        s.Append(sandbox.Mode == SandboxMode.On ? "elsewhere the job fails.\n" : "elsewhere it runs as it is, and out/job.log says so.\n");
        s.Append($"note() {{ printf '%s - WARNING - %s\\n' \"$(date '+%Y-%m-%d %H:%M:%S,000')\" \"$1\" >>{SlurmScript.Quote(jobLog)}; echo \"terminus: $1\" >&2; }}\n");
        s.Append("if ! command -v bwrap >/dev/null 2>&1; then\n  why='bwrap is not installed on this node'\n");
        s.Append($"elif ! bwrap {string.Join(' ', SandboxPlan.TrialArguments)} 2>/dev/null; then\n  why='bwrap does not work on this node'\nelse\n");
        s.Append($"  set -- {string.Join(' ', SandboxPlan.Isolation)}\n");
        foreach (var m in sandbox.Plan.Mounts) s.Append("  ").Append(Mount(m, sandbox.Plan.Paths.JobDir)).Append('\n');
        s.Append($"  exec bwrap \"$@\" -- {runnerCommand}\nfi\n");
        if (sandbox.Mode == SandboxMode.On)
            s.Append($"note \"the job was not run: TERMINUS_SANDBOX=on and $why\"\nexit {Unavailable}\n");
        else
            s.Append($"note \"the job runs without the sandbox: $why\"\nexec {runnerCommand}\n");
        return s.ToString();
    }

    private static string Mount(SandboxMount m, string jobDir)
    {
        var path = SlurmScript.Quote(m.Path);
        return m.Kind switch
        {
            SandboxMountKind.ReadOnly => $"set -- \"$@\" --ro-bind-try {path} {path}",
            SandboxMountKind.Writable when m.Path == jobDir => $"set -- \"$@\" --bind {path} {path}",
            SandboxMountKind.Writable => $"set -- \"$@\" --bind-try {path} {path}",
            SandboxMountKind.Private when m.Source is { } source =>
                $"if mkdir -p -m 700 {SlurmScript.Quote(source)}; then set -- \"$@\" --bind {SlurmScript.Quote(source)} {path}; else set -- \"$@\" --tmpfs {path}; fi",
            SandboxMountKind.Private => $"set -- \"$@\" --tmpfs {path}",
            _ => $"[ -d {path} ] && set -- \"$@\" --tmpfs {path}",
        };
    }
}
