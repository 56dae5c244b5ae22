using System.Globalization;

namespace Terminus.Core.Text;

/// <summary>
/// Text that came from a message (or a service), made safe to show on one line of a log or a status: control
/// characters, line and paragraph separators and invisible format characters (bidi overrides among them) become
/// '?', so a value can neither forge a log line nor hide what it is; long values are cut.
/// </summary>
public static class Printable
{
    public static string Line(string? value, int max = 120)
    {
        if (value is null) return "(none)";
        var cleaned = new string(value.Take(max).Select(c => IsSafe(c) ? c : '?').ToArray());
        return value.Length > max ? cleaned + "..." : cleaned;
    }

    private static bool IsSafe(char c) => !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) is not
        (UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format);
}
