using System.Globalization;

namespace Terminus.Core.Execution;

/// <summary>
/// The command lines of the daemon's ssh master connection to the storage alias (OpenSSH connection sharing): the
/// master itself, kept as the daemon's child (<c>-M -N</c>, no <c>ControlPersist</c>: it ends when told, never lingers
/// on its own), the check and the exit asked of it through its socket, and the options every ssh of an upload shares.
/// </summary>
public static class SshMasterCommand
{
    public const string Program = "ssh";

    /// <summary>Unix socket paths hold at most 107 bytes; ssh appends a few to make its temporary one.</summary>
    public const int MaxControlPathLength = 90;

    /// <summary>Batch mode (never a prompt), a connection timeout from the upload's I/O timeout, and dead peers noticed.</summary>
    public static IReadOnlyList<string> ClientOptions(TimeSpan ioTimeout)
    {
        var connect = Math.Clamp(Math.Max(1, (int)ioTimeout.TotalSeconds) / 4, 5, 60);
        return ["-o", "BatchMode=yes", "-o", string.Create(CultureInfo.InvariantCulture, $"ConnectTimeout={connect}"), "-o", "ServerAliveInterval=15",
            "-o", "ServerAliveCountMax=4"];
    }

    public static IReadOnlyList<string> Master(string alias, string controlPath, TimeSpan ioTimeout) =>
        ["-M", "-N", .. ClientOptions(ioTimeout), "-o", "ControlMaster=yes", "-o", $"ControlPath={controlPath}", "-o", "ControlPersist=no", alias];

    /// <summary><c>-O check</c> (is the master there and answering) or <c>-O exit</c> (end it).</summary>
    public static IReadOnlyList<string> Control(string operation, string alias, string controlPath) =>
        ["-O", operation, "-o", "BatchMode=yes", "-o", $"ControlPath={controlPath}", alias];

    /// <summary>Why a path cannot be the master's socket (it travels inside rsync's <c>-e</c> string), or null.</summary>
    public static string? ControlPathProblem(string path) =>
        path.Length > MaxControlPathLength ? $"'{path}' is longer than {MaxControlPathLength} bytes (a unix socket's limit)"
        : path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '%') ? $"'{path}' holds a space, a quote, a backslash or '%'"
        : null;
}
