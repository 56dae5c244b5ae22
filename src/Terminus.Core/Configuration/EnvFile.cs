using System.Text.RegularExpressions;

namespace Terminus.Core.Configuration;

/// <summary>
/// Parser for terminus.env, the file that 0.7's terminus_config writes and systemd reads as an EnvironmentFile.
/// Unlike 0.7 (substring key matching, <c>split("=")[1]</c>) it matches keys exactly and splits at the first '='.
/// </summary>
public static partial class EnvFile
{
    /// <summary>0.7's "unset" sentinel, written by the template for every value not configured yet.</summary>
    public const string EmptySentinel = "__empty__";

    /// <summary>True for null, empty/blank and "__empty__": all of them mean "not set".</summary>
    public static bool IsUnset(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Trim() == EmptySentinel;

    /// <summary>Parses the text; unset values (empty or "__empty__") are left out, later duplicates win.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text) => ParseWithNotes(text).Values;

    /// <summary>Like <see cref="Parse"/>, with a note ("line N: …") for every line that was skipped or looked odd.</summary>
    public static EnvFileContent ParseWithNotes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new List<string>();
        string[] lines = text.TrimStart('\uFEFF').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;

            Match m = AssignmentRegex().Match(line);
            if (!m.Success)
            {
                notes.Add($"line {i + 1}: ignored, not KEY=value: '{Shorten(line)}'");
                continue;
            }

            string key = m.Groups["key"].Value;
            string value = Unquote(m.Groups["value"].Value.Trim(), out bool odd);
            if (odd)
                notes.Add($"line {i + 1}: {key} has unbalanced quotes, value taken as written");

            // "__empty__" (or nothing) removes an earlier value too: the last line for a key decides.
            if (IsUnset(value))
                values.Remove(key);
            else
                values[key] = value;
        }
        return new EnvFileContent(values, notes);
    }

    /// <summary>Reads and parses a file. Throws the usual IO exceptions (missing, unreadable, a directory).</summary>
    public static EnvFileContent Read(string path) => ParseWithNotes(File.ReadAllText(path));

    // "KEY" must be a shell-style name; "export " is accepted because people source this file from shells.
    [GeneratedRegex(@"^(?:export\s+)?(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=(?<value>.*)$")]
    private static partial Regex AssignmentRegex();

    // "v", 'v' and "v" # comment give v. An unterminated quote is kept as written (and reported).
    private static string Unquote(string raw, out bool odd)
    {
        odd = false;
        if (raw.Length == 0 || raw[0] is not ('"' or '\''))
            return raw;
        int close = raw.IndexOf(raw[0], 1);
        if (close > 0)
        {
            string rest = raw[(close + 1)..].TrimStart();
            if (rest.Length == 0 || rest[0] == '#')
                return raw[1..close];
        }
        odd = true;
        return raw;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}
