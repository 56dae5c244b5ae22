using System.Globalization;

namespace Terminus.Core.Execution;

/// <summary>
/// 0.7's upload, <c>rsync -avP &lt;tar&gt; &lt;alias&gt;:</c>, made safe: ssh never prompts (batch mode) and gives up on
/// a dead peer, rsync gives up on a stalled transfer, and a partial file waits in a hidden directory instead
/// of showing up under its final name in the portal's storage.
/// </summary>
public static class RsyncCommand
{
    public const string Program = "rsync";
    public const string PartialDir = ".terminus-partial";

    /// <param name="tarballs">The files to send, by absolute path: each lands in the storage account's home under its own name.</param>
    /// <param name="bandwidthKbps">rsync's <c>--bwlimit</c> in KiB/s, or null for none.</param>
    /// <param name="controlPath">The socket of the daemon's ssh master connection to the alias (no handshake), or null.</param>
    public static IReadOnlyList<string> Arguments(IReadOnlyList<string> tarballs, string sshAlias, TimeSpan ioTimeout, int? bandwidthKbps = null,
        string? controlPath = null)
    {
        var seconds = Math.Max(1, (int)ioTimeout.TotalSeconds);
        var ssh = $"ssh {string.Join(' ', SshMasterCommand.ClientOptions(ioTimeout))}"
            + (controlPath is null ? "" : $" -o ControlMaster=no -o ControlPath={controlPath}");
        List<string> args = ["-avP", $"--partial-dir={PartialDir}", $"--timeout={seconds}"];
        if (bandwidthKbps is { } kbps) args.Add(string.Create(CultureInfo.InvariantCulture, $"--bwlimit={kbps}"));
        args.AddRange(["-e", ssh, .. tarballs, $"{sshAlias}:"]);
        return args;
    }

    /// <summary>Failures of the network or of the storage host (worth another try), as opposed to local or usage errors.</summary>
    public static bool IsTransient(int exitCode) => exitCode is 5 or 10 or 12 or 30 or 35 or 255;

    /// <summary>5 s, 10 s, 20 s, 40 s, then every 60 s.</summary>
    public static TimeSpan RetryDelay(int failedAttempts) =>
        TimeSpan.FromSeconds(Math.Min(60, 5 * Math.Pow(2, Math.Max(0, failedAttempts - 1))));

    /// <summary>
    /// What a failed upload means, for the operator's log. rsync reports a dead ssh as 255 or as 12 depending on
    /// which side noticed first, so ssh's own complaint in the output decides.
    /// </summary>
    public static string Explain(int exitCode, string output)
    {
        var sshSaid = output.Contains("ssh: ", StringComparison.Ordinal)
                      || output.Contains("Permission denied (", StringComparison.Ordinal)
                      || output.Contains("Host key verification failed", StringComparison.Ordinal);
        return sshSaid && exitCode != 255 ? $"{Explain(255)} (rsync exit code {exitCode})" : Explain(exitCode);
    }

    /// <summary>What rsync's exit code means.</summary>
    public static string Explain(int exitCode) => exitCode switch
    {
        0 => "success",
        1 => "syntax or usage error",
        2 => "protocol incompatibility",
        3 => "errors selecting input/output files or directories",
        5 => "error starting the client-server protocol",
        10 => "error in socket I/O",
        11 => "error in file I/O (is the storage full?)",
        12 => "error in the rsync protocol data stream (did the connection drop?)",
        20 => "interrupted by a signal",
        23 => "partial transfer due to an error",
        24 => "partial transfer: source files vanished",
        30 => "timeout in data send/receive",
        35 => "timeout waiting for the daemon connection",
        127 => "rsync is not installed",
        255 => "ssh failed (host unreachable, connection refused, key or host key rejected: check the SSH alias)",
        _ => $"rsync exit code {exitCode}",
    };
}
