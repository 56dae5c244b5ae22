using System.Text;
using System.Text.Json;

namespace Terminus.Core.Celery;

public static partial class PythonRepr
{
    /// <summary>Celery's argsrepr_maxsize / kwargsrepr_maxsize.</summary>
    public const int CeleryReprMaxSize = 1024;

    /// <summary>
    /// A port of celery.utils.saferepr.saferepr(o, maxlen, maxlevels) (Celery 5.2), which fills the argsrepr and
    /// kwargsrepr headers. Strings: always '...' with only ' escaped as \' (newlines etc. stay raw); containers
    /// nested maxlevels deep print as [...] / {...}; past maxlen characters the output ends with ", ..." plus the
    /// closing brackets still pending (sometimes none: the quirks are kept, golden tests compare against Celery).
    /// </summary>
    public static string SafeRepr(JsonElement value, int? maxLength = CeleryReprMaxSize, int maxLevels = 3)
    {
        var sb = new StringBuilder();
        var remaining = maxLength;
        var stack = new Queue<IEnumerator<object>>();
        stack.Enqueue(new object[] { value }.AsEnumerable().GetEnumerator());
        IEnumerator<object>? dangling = null;
        foreach (var (token, it) in ReprStream(stack, maxLevels))
        {
            if (remaining <= 0)
            {
                sb.Append(", ...");
                dangling = it;   // the rest of the current chain: its unclosed brackets still get printed
                break;
            }
            var text = token switch
            {
                Literal lit => lit.Value,
                Key key => FormatChars(key.Value, remaining),
                Quoted q => FormatChars(q.Value, remaining),
                _ => Truncate((string)token, remaining),
            };
            sb.Append(text);
            if (remaining is not null) remaining -= CodePoints(text);
        }
        while (dangling?.MoveNext() == true)
            if (dangling.Current is Literal { Truncatable: false } closing) sb.Append(closing.Value);
        return sb.ToString();
    }

    private sealed record Literal(string Value, bool Truncatable, int Direction);
    private sealed record Key(string Value);
    private sealed record Quoted(string Value);

    private static readonly Literal ListStart = new("[", false, +1), ListEnd = new("]", false, -1),
        DictStart = new("{", false, +1), DictEnd = new("}", false, -1),
        ListSep = new(", ", true, 0), KeyValueSep = new(": ", true, 0);

    // reprstream(): a flat token stream; entering a container pushes a chain "start, items, end, rest of parent".
    private static IEnumerable<(object Token, IEnumerator<object> It)> ReprStream(Queue<IEnumerator<object>> stack, int maxLevels)
    {
        var level = 0;
        while (stack.Count > 0)
        {
            var it = stack.Dequeue();
            while (it.MoveNext())
            {
                var val = it.Current;
                if (val is Literal lit) { level += lit.Direction; yield return (lit, it); continue; }
                if (val is Key) { yield return (val, it); continue; }
                var e = (JsonElement)val;
                if (e.ValueKind == JsonValueKind.String) { yield return (new Quoted(e.GetString()!), it); continue; }
                if (e.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object)) { yield return (Scalar(e), it); continue; }
                var isList = e.ValueKind == JsonValueKind.Array;
                if (maxLevels > 0 && level >= maxLevels) { yield return (isList ? "[...]" : "{...}", it); continue; }
                var items = isList ? ListItems(e) : DictItems(e);
                stack.Enqueue(Chain(isList ? ListStart : DictStart, items, isList ? ListEnd : DictEnd, it));
                break;
            }
        }
    }

    private static IEnumerable<object> ListItems(JsonElement list)
    {
        var n = list.GetArrayLength();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            yield return item;
            if (++i < n) yield return ListSep;
        }
    }

    private static IEnumerable<object> DictItems(JsonElement dict)
    {
        var props = PythonJson.Properties(dict);
        for (var i = 0; i < props.Count; i++)
        {
            yield return new Key(props[i].Key);
            yield return KeyValueSep;
            yield return props[i].Value;
            if (i < props.Count - 1) yield return ListSep;
        }
    }

    private static IEnumerator<object> Chain(Literal start, IEnumerable<object> items, Literal end, IEnumerator<object> rest)
    {
        yield return start;
        foreach (var item in items) yield return item;
        yield return end;
        while (rest.MoveNext()) yield return rest.Current;
    }

    // _format_chars(): note no escaping besides the quote, unlike repr()
    private static string FormatChars(string s, int? maxLength) => "'" + Truncate(s, maxLength).Replace("'", "\\'") + "'";

    // celery.utils.text.truncate(): cut to maxlen code points, then back to the last space, then "..." (also when len == maxlen)
    private static string Truncate(string s, int? maxLength)
    {
        if (maxLength is not (> 0 and var max) || CodePoints(s) < max) return s;
        var cut = s[..CodeUnitsOf(s, max)];
        var space = cut.LastIndexOf(' ');
        return (space >= 0 ? cut[..space] : cut) + "...";
    }

    private static int CodePoints(string s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++, n++)
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
        return n;
    }

    private static int CodeUnitsOf(string s, int codePoints)
    {
        var i = 0;
        for (var n = 0; n < codePoints && i < s.Length; n++, i++)
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
        return i;
    }
}
