using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Terminus.Core.Celery;

/// <summary>
/// JSON exactly as Python's json.dumps() writes it by default (what kombu puts on the wire): ", " and ": "
/// separators, ensure_ascii (\uXXXX, lowercase hex), floats as repr(float), ints of any size.
/// JSON numbers are read the way json.loads reads them: with '.', 'e' or 'E' a float, otherwise an int.
/// </summary>
internal static class PythonJson
{
    public static string Dumps(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var (key, item) in Properties(value))
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
            case JsonValueKind.Number: sb.Append(NumberText(value, json: true)); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            default: sb.Append("null"); break;
        }
    }

    /// <summary>An object's members as a Python dict holds them: a repeated key keeps its first position, last value wins.</summary>
    public static List<KeyValuePair<string, JsonElement>> Properties(JsonElement obj)
    {
        var list = new List<KeyValuePair<string, JsonElement>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (index.TryGetValue(p.Name, out var at)) list[at] = new(p.Name, p.Value);
            else { index[p.Name] = list.Count; list.Add(new(p.Name, p.Value)); }
        }
        return list;
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                // ensure_ascii escapes everything outside ' '..'~' per UTF-16 unit (so emoji become surrogate pairs)
                default:
                    if (c < ' ' || c > '~') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    public static bool IsFloat(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') >= 0;

    /// <summary>A JSON number as Python prints it: str(int) / repr(float); json=true gives json.dumps' Infinity spelling.</summary>
    public static string NumberText(JsonElement number, bool json)
    {
        var raw = number.GetRawText();
        if (!IsFloat(number)) return BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        var d = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);   // overflow gives ±Infinity, like float()
        if (double.IsInfinity(d) && json) return d > 0 ? "Infinity" : "-Infinity";
        return FloatRepr(d);
    }

    /// <summary>
    /// Python's repr(float): the shortest round-trip digits (.NET "R" gives the same digits), written in fixed
    /// notation when the decimal exponent is in [-4, 16), otherwise as 1e-05 / 1.5e+16 (at least two exponent digits).
    /// </summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var sign = double.IsNegative(d) ? "-" : "";
        if (d == 0) return sign + "0.0";

        // "R" yields e.g. "123.456", "1E-05", "1.2345678901234568E+17": split into digits and a decimal point position
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var ePos = r.IndexOf('E');
        var exp10 = ePos < 0 ? 0 : int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = ePos < 0 ? r : r[..ePos];
        var dot = mantissa.IndexOf('.');
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var digits = (intPart + (dot < 0 ? "" : mantissa[(dot + 1)..])).TrimEnd('0');
        var decpt = intPart.Length + exp10;            // value = 0.<digits> * 10^decpt
        var trimmed = digits.TrimStart('0');
        decpt -= digits.Length - trimmed.Length;
        digits = trimmed;

        string body;
        if (decpt <= -4 || decpt > 16)
        {
            var e = decpt - 1;
            body = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : "") +
                   "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (decpt <= 0) body = "0." + new string('0', -decpt) + digits;
        else if (decpt < digits.Length) body = digits[..decpt] + "." + digits[decpt..];
        else body = digits + new string('0', decpt - digits.Length) + ".0";
        return sign + body;
    }

    /// <summary>
    /// Turns C# values into a JsonElement with Python's int/float distinction kept in the number text:
    /// null, bool, string, integer types, BigInteger, double/float, JsonElement, dictionaries with string keys, enumerables.
    /// </summary>
    public static JsonElement ToElement(object? value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false, MaxDepth = 256 }))
            WriteValue(w, value);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 256 });
        return doc.RootElement.Clone();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case JsonElement e: e.WriteTo(w); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int or long or short or sbyte or byte or ushort or uint or ulong or BigInteger:
                w.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!); break;
            case double or float:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d)) throw new ArgumentException("NaN cannot be sent as a task argument");
                // Infinity has no JSON number; 1e400 reads back as a float overflowing to ±inf, as in Python
                w.WriteRawValue(double.IsInfinity(d) ? (d > 0 ? "1e400" : "-1e400") : FloatRepr(d)); break;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    w.WritePropertyName(entry.Key as string ?? throw new ArgumentException("dictionary keys must be strings"));
                    WriteValue(w, entry.Value);
                }
                w.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:     // IReadOnlyDictionary without IDictionary
                w.WriteStartObject();
                foreach (var (k, v) in pairs) { w.WritePropertyName(k); WriteValue(w, v); }
                w.WriteEndObject();
                break;
            case IEnumerable items:
                w.WriteStartArray();
                foreach (var item in items) WriteValue(w, item);
                w.WriteEndArray();
                break;
            default: throw new ArgumentException($"cannot send a {value.GetType().Name} as a task argument");
        }
    }
}
