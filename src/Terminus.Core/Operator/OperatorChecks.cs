using System.Globalization;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;

namespace Terminus.Core.Operator;

/// <summary>Checks of single answers: each returns what is wrong, or null. Pure, shared by the prompts and the flags.</summary>
public static class OperatorChecks
{
    public static string? HostName(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
            ? null : "use lower-case letters, digits, '-', '_' and '.'";

    public static string? Path(string value) =>
        value.Length == 0 ? "a path is needed" : !System.IO.Path.IsPathRooted(value) ? "give an absolute path (or start with ~)" : EnvFileEditor.Problem(value);

    public static string? PositiveInt(string value, out int parsed) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out parsed) && parsed is > 0 and <= SettingsLoader.MaxConcurrentJobsLimit
            ? null : $"give a whole number from 1 to {SettingsLoader.MaxConcurrentJobsLimit}";

    public static string? SshAlias(string value) =>
        value.Length > 0 && !value.StartsWith('-') && !value.Any(c => char.IsWhiteSpace(c) || c == ':' || char.IsControl(c) || c is '"' or '\\')
            ? null : "an SSH host alias: no spaces, no ':' and no leading '-'";

    public static string? BrokerHost(string value)
    {
        var bare = value.StartsWith('[') && value.EndsWith(']') ? value[1..^1] : value;
        return Uri.CheckHostName(bare) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
            ? null : "a host name (e.g. rabbit.example.org) or an IPv4/IPv6 address";
    }

    public static string? Port(string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? null : "a port number from 1 to 65535";

    public static string? Text(string value) => value.Length == 0 ? "a value is needed" : EnvFileEditor.Problem(value);

    public static string? TotalJobs(int nodes, int concurrency) =>
        (long)nodes * concurrency > SettingsLoader.MaxConcurrentJobsLimit ? $"{nodes} × {concurrency} jobs is more than {SettingsLoader.MaxConcurrentJobsLimit}" : null;

    internal static bool SafeSegment(string value) => PathRules.IsSafeSegment(value);
}
