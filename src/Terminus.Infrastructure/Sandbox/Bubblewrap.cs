using Terminus.Core.Sandbox;
using Terminus.Core.Text;
using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>
/// Finds bubblewrap and tries it for real: installed is not enough (unprivileged user namespaces may be off, or
/// restricted by AppArmor), so a sandbox like a job's runs <c>/bin/true</c>, bounded in time. Run as root, bwrap needs
/// no user namespace at all.
/// </summary>
public static class Bubblewrap
{
    public const string ProgramName = "bwrap";

    /// <summary>Where a daemon without PATH (systemd gives one) would look.</summary>
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>bwrap's path on <paramref name="pathVariable"/> (a PATH value; null or empty: <see cref="DefaultPath"/>), or null.</summary>
    public static string? Locate(string? pathVariable)
    {
        var dirs = (string.IsNullOrEmpty(pathVariable) ? DefaultPath : pathVariable).Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Where(Path.IsPathRooted).Select(d => Path.Combine(d, ProgramName)).FirstOrDefault(IsExecutableFile);
    }

    private static bool IsExecutableFile(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path)
        && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <param name="pathVariable">The PATH to look in (see <see cref="Locate"/>).</param>
    /// <param name="runAs">A command that runs the probe as someone else (tests: another user, another namespace).</param>
    public static async Task<BubblewrapProbe> ProbeAsync(string? pathVariable, IReadOnlyList<string>? runAs = null, CancellationToken cancellationToken = default)
    {
        if (Locate(pathVariable) is not { } program)
            return new BubblewrapProbe(null, null, false, "bwrap is not installed (none on PATH; the Debian package is bubblewrap)");
        var version = await BoundedProcess.RunAsync(program, ["--version"], ProbeTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        var v = version.ExitCode == 0 && version.StdOut.Trim().Split(' ') is [_, var number] ? number : null;
        var named = $"bwrap {(v is null ? "" : v + " ")}({program})";

        IReadOnlyList<string> command = [.. runAs ?? [], program, .. SandboxPlan.TrialArguments];
        var r = await BoundedProcess.RunAsync(command[0], command.Skip(1).ToList(), ProbeTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (r.ExitCode == 0) return new BubblewrapProbe(program, v, true, $"{named} works here");
        var said = (r.StdErr + r.StdOut).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {r.ExitCode}";
        return new BubblewrapProbe(program, v, false, $"{named} does not work here: {Printable.Line(said, 300)}{Hint(said)}");
    }

    private static string Hint(string said) =>
        said.Contains("namespace", StringComparison.OrdinalIgnoreCase) || said.Contains("uid map", StringComparison.OrdinalIgnoreCase)
            ? " (unprivileged user namespaces are off or restricted: see sysctl user.max_user_namespaces, and on Ubuntu the AppArmor userns restriction)"
            : "";
}
