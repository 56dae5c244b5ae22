using System.Text.RegularExpressions;
using Terminus.Core.Configuration;

namespace Terminus.Core.Operator;

/// <summary>
/// Writes values into the text of a <c>terminus.env</c> without losing anything else in it: each key's existing
/// line(s) get the new value in place, keys not there yet are added at the end, every other line (comments, 0.7's
/// Celery settings, the operator's own additions) stays as it was. 0.7 replaced the file with its template instead.
/// </summary>
public static partial class EnvFileEditor
{
    public const string AddedHeader = "# Added by terminus config (Terminus.Actors)";
    public const string NewFileHeader = "# Terminus environment variables, written by terminus config (Terminus.Actors)";

    /// <param name="values">Key and value; a null value writes 0.7's unset sentinel.</param>
    public static string Apply(string? existingText, IReadOnlyList<KeyValuePair<string, string?>> values)
    {
        var lines = (existingText ?? "").TrimStart('\uFEFF').Replace("\r\n", "\n").Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        var added = new List<string>();
        foreach (var (key, value) in values)
        {
            var line = $"{key}={Quote(value)}";
            var found = false;
            for (var i = 0; i < lines.Count; i++)
            {
                var m = Assignment().Match(lines[i]);
                if (!m.Success || m.Groups["key"].Value != key) continue;
                lines[i] = m.Groups["export"].Value + line;
                found = true;
            }
            if (!found) added.Add(line);
        }
        if (added.Count > 0)
        {
            if (lines.Count > 0 && lines[^1].Trim().Length > 0) lines.Add("");
            if (lines.Count == 0) lines.Add(NewFileHeader);
            else if (!lines.Contains(AddedHeader)) lines.Add(AddedHeader);
            lines.AddRange(added);
        }
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Double quotes, as 0.7 wrote them and systemd's EnvironmentFile reads them.</summary>
    public static string Quote(string? value) => $"\"{value ?? EnvFile.EmptySentinel}\"";

    /// <summary>Why a value cannot be written into terminus.env (quotes, backslashes and line breaks), or null.</summary>
    public static string? Problem(string value) =>
        value.IndexOfAny(['"', '\\', '\n', '\r', '\0']) >= 0 ? "quotes, backslashes and line breaks cannot be written to terminus.env" : null;

    [GeneratedRegex(@"^(?<export>\s*(?:export\s+)?)(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=")]
    private static partial Regex Assignment();
}
