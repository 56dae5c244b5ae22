using System.Text;
using System.Text.Json;

namespace Terminus.Core.Execution;

/// <summary>Parsers for the runner's files. Bad or partial content is skipped, never thrown.</summary>
public static class RunnerRecords
{
    /// <summary>
    /// Reads the events in <paramref name="text"/> from <paramref name="offset"/>; returns them with the offset of
    /// the first byte not yet consumed (a line still being written stays for the next read).
    /// </summary>
    public static (IReadOnlyList<RunnerEvent> Events, int NextOffset) ParseEvents(ReadOnlySpan<byte> bytes, int offset)
    {
        var events = new List<RunnerEvent>();
        var position = offset;
        while (position < bytes.Length)
        {
            var newline = bytes[position..].IndexOf((byte)'\n');
            if (newline < 0) break;
            if (ParseEvent(bytes.Slice(position, newline)) is { } e) events.Add(e);
            position += newline + 1;
        }
        return (events, position);
    }

    private static RunnerEvent? ParseEvent(ReadOnlySpan<byte> line) =>
        FromObject(Encoding.UTF8.GetString(line), root => Str(root, "status") is { } status ? new RunnerEvent(status, Str(root, "message") ?? "") : null);

    public static ExitRecord? ParseExit(string json) =>
        FromObject(json, root => Str(root, "status") is { } status
            ? new ExitRecord(status, Str(root, "message") ?? "", Int(root, "exit_code"), Int(root, "signal"))
            : null);

    public static RunnerRecord? ParseRunner(string json) => FromObject(json, root =>
    {
        if (Int(root, "pid") is not { } pid) return null;
        long? ticks = root.TryGetProperty("start_ticks", out var t) && t.TryGetInt64(out var v) ? v : null;
        DateTime? started = DateTime.TryParseExact(Str(root, "started"), "yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var s) ? s : null;
        return new RunnerRecord(pid, Int(root, "pgid") ?? pid, ticks, Str(root, "hostname") ?? "", started);
    });

    /// <summary>The record read from a JSON object, or null for anything else (bad JSON, not an object, missing fields).</summary>
    private static T? FromObject<T>(string json, Func<JsonElement, T?> read) where T : class
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? read(doc.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    /// <summary>The last non-empty lines of a text file's tail, for a log line (never the whole file).</summary>
    public static string Tail(string path, int maxLines = 5, int maxBytes = 4096)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(0, stream.Length - maxBytes), SeekOrigin.Begin);
            var buffer = new byte[maxBytes];
            var read = stream.ReadAtLeast(buffer, maxBytes, throwOnEndOfStream: false);
            var lines = Encoding.UTF8.GetString(buffer, 0, read).Split('\n')
                .Select(l => l.Split('\r').Last().Trim()).Where(l => l.Length > 0).TakeLast(maxLines);
            return string.Join(" | ", lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
