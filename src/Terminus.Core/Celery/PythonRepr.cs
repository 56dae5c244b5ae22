using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Terminus.Core.Celery;

/// <summary>
/// Python text forms of JSON values (as json.loads would have produced them).
/// <see cref="Of(JsonElement)"/> is the real repr() (what str(dict) injects into job.py);
/// <see cref="SafeRepr"/> is Celery's celery.utils.saferepr, which is what the argsrepr/kwargsrepr headers carry.
/// They differ on strings: saferepr always uses single quotes, escapes only ' (as \') and truncates.
/// </summary>
public static partial class PythonRepr
{
    /// <summary>Python 3 repr() of the value: 'quotes' ("..." when only ' occurs), \n \t \\ \x01 \u2028 escapes, True/False/None.</summary>
    public static string Of(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>repr() of a Python list of the given C# values (see <see cref="PythonJson.ToElement"/> for the accepted types).</summary>
    public static string OfArgs(params object?[] args) => Of(PythonJson.ToElement(args));

    private static void Write(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var (key, item) in PythonJson.Properties(value))
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, item);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (i++ > 0) sb.Append(", ");
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String: WriteString(sb, value.GetString()!); break;
            default: sb.Append(Scalar(value)); break;
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => PythonJson.NumberText(value, json: false),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        _ => "None",
    };

    // CPython unicode_repr()
    private static void WriteString(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            int cp = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                cp = char.ConvertToUtf32(s[i], s[++i]);
            if (cp == quote || cp == '\\') sb.Append('\\').Append((char)cp);
            else if (cp == '\t') sb.Append("\\t");
            else if (cp == '\n') sb.Append("\\n");
            else if (cp == '\r') sb.Append("\\r");
            else if (cp < ' ' || cp == 0x7f) sb.Append("\\x").Append(cp.ToString("x2", CultureInfo.InvariantCulture));
            else if (cp < 0x7f || IsPrintable(cp)) sb.Append(char.ConvertFromUtf32(cp));   // never a lone surrogate here
            else if (cp <= 0xff) sb.Append("\\x").Append(cp.ToString("x2", CultureInfo.InvariantCulture));
            else if (cp <= 0xffff) sb.Append("\\u").Append(cp.ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
        }
        sb.Append(quote);
    }

    private static bool IsSurrogate(int cp) => cp is >= 0xd800 and <= 0xdfff;

    // str.isprintable(): everything except categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than ' '
    private static bool IsPrintable(int cp) => !IsSurrogate(cp) && (CharUnicodeInfo.GetUnicodeCategory(cp) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
        UnicodeCategory.SpaceSeparator => cp == ' ',
        _ => true,
    });
}
