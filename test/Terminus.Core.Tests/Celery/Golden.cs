using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Terminus.Core.Tests.Celery;

/// <summary>
/// Golden output of the real Celery 5.2.6 / kombu 5.2.4 (Debian python3-celery), made by Golden/celery_golden.py;
/// the tests only read the checked-in Golden/celery-golden.json (found through this source file's path).
/// </summary>
internal static class Golden
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(HereDir(), "Golden", "celery-golden.json"))).RootElement.Clone());

    public static JsonElement Data => Root.Value;

    public static IEnumerable<object[]> MessageLabels() =>
        Data.GetProperty("messages").EnumerateArray().Select(m => new object[] { m.GetProperty("label").GetString()! });

    public static JsonElement Message(string label) =>
        Data.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("label").GetString() == label);

    public static IEnumerable<object[]> ReprCases() =>
        Data.GetProperty("reprs").EnumerateArray().Select(r => new object[]
            { r.GetProperty("json").GetString()!, r.GetProperty("repr").GetString()!, r.GetProperty("dumps").GetString()! });

    /// <summary>JSON from the golden file as plain C# values (long/BigInteger/double/string/bool/null/List/Dictionary).</summary>
    public static object? ToNative(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => e.EnumerateArray().Select(ToNative).ToList(),
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => ToNative(p.Value)),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when e.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0 => e.GetDouble(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : BigInteger.Parse(e.GetRawText()),
        _ => null,
    };

    private static string HereDir([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
