using System.Text.RegularExpressions;

namespace Terminus.Core.Jobs;

/// <summary>What may come from a message and end up in a path (0.7 joined it unchecked, so "../" reached any directory).</summary>
public static partial class PathRules
{
    public const int MaxDataRefLength = 1024;

    /// <summary>One directory name: no separators, no <c>.</c>/<c>..</c>, no leading dash or dot.</summary>
    public static bool IsSafeSegment(string value) => SafeSegment().IsMatch(value);

    /// <summary>Why a data reference cannot be used, or null when it stays inside the data directory.</summary>
    public static string? DataRefProblem(string dataRef)
    {
        if (dataRef.Length == 0) return "it is empty";
        if (dataRef.Length > MaxDataRefLength) return $"it is longer than {MaxDataRefLength} characters";
        if (dataRef.Any(char.IsControl)) return "it contains control characters";
        if (dataRef.StartsWith('/') || dataRef.StartsWith('\\') || dataRef.StartsWith('~')) return "it must be relative to the simulation directory";
        if (dataRef.Split('/', '\\').Any(s => s == "..")) return "it must not contain '..'";
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,254}\z")]
    private static partial Regex SafeSegment();
}
