using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Terminus.Core.Celery;

/// <summary>
/// Celery task message -> <see cref="CeleryTask"/>, for protocol v2 (headers task/id, body [args, kwargs, embed])
/// and protocol v1 (body {"task", "id", "args", "kwargs", ...}). JSON only. Never throws: anything we cannot run
/// comes back as <see cref="MalformedMessage"/> with a one-line reason.
/// </summary>
public static class CeleryDecoder
{
    // JsonDocument's default; deeper bodies are reported as malformed instead of recursing further.
    private const int MaxJsonDepth = 64;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static CeleryDecodeResult Decode(IncomingAmqpMessage message)
    {
        string? name = null, id = null;
        try
        {
            var headers = message.Headers ?? new Dictionary<string, object?>();
            var (taskHeader, taskError) = HeaderString(headers, "task");
            name = taskHeader;
            id = FirstNonEmpty(HeaderString(headers, "id").Value, message.CorrelationId, message.MessageId);

            if (taskError is not null) return new MalformedMessage(taskError, name, id);
            if (UnsupportedFormat(message, headers) is { } formatError) return new MalformedMessage(formatError, name, id);
            if (InvalidUtf8At(message.Body.Span) is { } offset)
                return new MalformedMessage($"body is not valid UTF-8 (bad byte at offset {offset})", name, id);

            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(message.Body, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
                root = doc.RootElement.Clone();   // the clone owns its memory: args/kwargs outlive the document
            }
            catch (JsonException ex)
            {
                return new MalformedMessage($"body is not valid JSON: {ex.Message}", name, id);
            }
            if (!AllStringsReadable(root))
                return new MalformedMessage("body contains a \\u escape that is not valid UTF-16 (lone surrogate)", name, id);

            // Like Celery's worker: a 'task' header means protocol v2, otherwise the body must be a v1 message.
            return taskHeader is not null
                ? DecodeV2(root, taskHeader, id, headers)
                : DecodeV1(root, message, headers);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException
                                       or ArgumentException or DecoderFallbackException or OverflowException)
        {
            // Not expected (the checks above should cover every input) but a daemon must not die on one bad message.
            return new MalformedMessage($"message could not be decoded: {ex.GetType().Name}: {ex.Message}", name, id);
        }
    }

    private static CeleryDecodeResult DecodeV2(JsonElement root, string name, string? id, IReadOnlyDictionary<string, object?> headers)
    {
        if (name.Trim().Length == 0) return new MalformedMessage("header 'task' is empty", name, id);
        if (id is null) return new MalformedMessage("no task id (no 'id' header, correlation_id or message_id)", name, null);
        if (root.ValueKind != JsonValueKind.Array)
            return new MalformedMessage($"protocol v2 body must be a JSON array [args, kwargs, embed], got {Kind(root)}", name, id);
        var length = root.GetArrayLength();
        if (length is not (2 or 3))
            return new MalformedMessage($"protocol v2 body must be [args, kwargs, embed], got an array of {length} elements", name, id);
        if (length == 3 && root[2].ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            return new MalformedMessage($"protocol v2 embed (3rd body element) must be an object or null, got {Kind(root[2])}", name, id);
        return Build(name, id, root[0], root[1], 2, headers, allowMissing: false);
    }

    private static CeleryDecodeResult DecodeV1(JsonElement root, IncomingAmqpMessage message, IReadOnlyDictionary<string, object?> headers)
    {
        string? headerId = FirstNonEmpty(HeaderString(headers, "id").Value, message.CorrelationId, message.MessageId);
        if (root.ValueKind == JsonValueKind.Array)
            return new MalformedMessage("missing task name: no 'task' header (protocol v2) and the body is not a protocol v1 object", null, headerId);
        if (root.ValueKind != JsonValueKind.Object)
            return new MalformedMessage($"body must be a JSON array (protocol v2) or object (protocol v1), got {Kind(root)}", null, headerId);

        string? name = null, bodyId = null;
        if (root.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String) bodyId = idEl.GetString();
        var id = FirstNonEmpty(bodyId, headerId);
        if (!root.TryGetProperty("task", out var taskEl) || taskEl.ValueKind == JsonValueKind.Null)
            return new MalformedMessage("missing task name: no 'task' header and no \"task\" in the body", null, id);
        if (taskEl.ValueKind != JsonValueKind.String)
            return new MalformedMessage($"protocol v1 \"task\" must be a string, got {Kind(taskEl)}", null, id);
        name = taskEl.GetString()!;
        if (name.Trim().Length == 0) return new MalformedMessage("protocol v1 \"task\" is empty", name, id);
        if (id is null) return new MalformedMessage("no task id (no \"id\" in the body, no 'id' header, correlation_id or message_id)", name, null);
        root.TryGetProperty("args", out var args);
        root.TryGetProperty("kwargs", out var kwargs);
        return Build(name, id, args, kwargs, 1, headers, allowMissing: true);
    }

    private static CeleryDecodeResult Build(string name, string id, JsonElement args, JsonElement kwargs, int protocol,
                                            IReadOnlyDictionary<string, object?> headers, bool allowMissing)
    {
        // v1 producers may leave args/kwargs out or null; v2 always writes both.
        var argList = new List<JsonElement>();
        if (args.ValueKind == JsonValueKind.Array) argList.AddRange(args.EnumerateArray());
        else if (!(allowMissing && args.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null))
            return new MalformedMessage($"task args must be a JSON array, got {Kind(args)}", name, id);

        var kwargDict = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (kwargs.ValueKind == JsonValueKind.Object)
            foreach (var p in kwargs.EnumerateObject()) kwargDict[p.Name] = p.Value;   // a repeated key: last wins, as in json.loads
        else if (!(allowMissing && kwargs.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null))
            return new MalformedMessage($"task kwargs must be a JSON object, got {Kind(kwargs)}", name, id);

        return new DecodedTask(new CeleryTask(name, id, argList, kwargDict, protocol,
            HeaderString(headers, "root_id").Value, HeaderString(headers, "parent_id").Value));
    }

    private static string? UnsupportedFormat(IncomingAmqpMessage message, IReadOnlyDictionary<string, object?> headers)
    {
        // kombu would refuse these too (or need pickle/yaml/msgpack, which we deliberately do not accept).
        var type = message.ContentType?.Split(';')[0].Trim();
        if (!string.IsNullOrEmpty(type) && !type.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            return $"unsupported content type '{message.ContentType}' (only JSON is accepted)";
        var encoding = message.ContentEncoding?.Trim();
        if (!string.IsNullOrEmpty(encoding) && !encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                                            && !encoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return $"unsupported content encoding '{message.ContentEncoding}' (only utf-8 is accepted)";
        if (headers.TryGetValue("compression", out var compression) && compression is not null)
            return $"compressed bodies are not supported (compression '{HeaderString(headers, "compression").Value ?? compression.ToString()}')";
        return null;
    }

    /// <summary>A header as a string: byte[] (AMQP long string) or string. Absent, null or another type -> null;
    /// Error is set only for the 'task' header when it is present but unusable.</summary>
    private static (string? Value, string? Error) HeaderString(IReadOnlyDictionary<string, object?> headers, string key)
    {
        if (!headers.TryGetValue(key, out var raw) || raw is null) return (null, null);
        try
        {
            return raw switch
            {
                string s => (s, null),
                byte[] b => (StrictUtf8.GetString(b), null),
                ReadOnlyMemory<byte> m => (StrictUtf8.GetString(m.Span), null),
                _ => (null, key == "task" ? $"header 'task' must be a string, got {raw.GetType().Name}" : null),
            };
        }
        catch (DecoderFallbackException)
        {
            return (null, key == "task" ? "header 'task' is not valid UTF-8" : null);
        }
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static int? InvalidUtf8At(ReadOnlySpan<byte> body)
    {
        if (Utf8.IsValid(body)) return null;
        for (var i = 0; i < body.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf8(body[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return i;
            i += consumed;
        }
        return null;
    }

    // JsonDocument accepts "\ud800" but GetString() would throw later; check once here so consumers never see that.
    private static bool AllStringsReadable(JsonElement e)
    {
        try
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String: _ = e.GetString(); return true;
                case JsonValueKind.Array: return e.EnumerateArray().All(AllStringsReadable);
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                        if (p.Name is null || !AllStringsReadable(p.Value)) return false;
                    return true;
                default: return true;
            }
        }
        catch (InvalidOperationException) { return false; }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        _ => "a number",
    };
}
