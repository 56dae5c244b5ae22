using System.Buffers;
using System.Globalization;
using System.Text;

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

    /// <summary>
    /// A file name's bytes shown on one line and unambiguously: valid UTF-8 as it reads, every byte that is not valid
    /// UTF-8 or encodes a character <see cref="Line"/> would hide as <c>\xNN</c>, and '\' as <c>\\</c>.
    /// </summary>
    public static string Name(ReadOnlySpan<byte> bytes)
    {
        var shown = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == OperationStatus.Done && rune.Value == '\\')
                shown.Append(@"\\");
            else if (status == OperationStatus.Done && IsSafe(Rune.GetUnicodeCategory(rune)))
                shown.Append(rune.ToString());
            else
                foreach (var b in bytes[..consumed]) shown.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            bytes = bytes[consumed..];
        }
        return shown.ToString();
    }

    private static bool IsSafe(char c) => IsSafe(CharUnicodeInfo.GetUnicodeCategory(c));

    private static bool IsSafe(UnicodeCategory category) => category is not (UnicodeCategory.Control or
        UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format);
}
