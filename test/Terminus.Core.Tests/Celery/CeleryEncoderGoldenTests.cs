using System.Text;
using System.Text.Json;
using Terminus.Core.Celery;

namespace Terminus.Core.Tests.Celery;

/// <summary>The encoder must produce exactly what Celery 5.2 produced for the same call (see Golden).</summary>
public class CeleryEncoderGoldenTests
{
    private static CeleryEncoder Encoder() => new(
        new CeleryOrigin(Golden.Data.GetProperty("origin").GetString()!, Golden.Data.GetProperty("reply_to").GetString()!),
        () => Guid.Parse(Golden.Data.GetProperty("task_id").GetString()!));

    private static (IReadOnlyList<object?> Args, IReadOnlyDictionary<string, object?> Kwargs, JsonElement Golden) Case(string label, bool native)
    {
        var m = Golden.Message(label);
        var args = JsonDocument.Parse(m.GetProperty("args_json").GetString()!).RootElement;
        var kwargs = JsonDocument.Parse(m.GetProperty("kwargs_json").GetString()!).RootElement;
        return (args.EnumerateArray().Select(a => native ? Golden.ToNative(a) : a).ToList(),
                kwargs.EnumerateObject().ToDictionary(p => p.Name, p => native ? Golden.ToNative(p.Value) : p.Value),
                m);
    }

    [Theory]
    [MemberData(nameof(Golden.MessageLabels), MemberType = typeof(Golden))]
    public void Body_headers_and_properties_equal_celery_for_json_arguments(string label) => AssertSameAsCelery(label, native: false);

    [Theory]
    [MemberData(nameof(Golden.MessageLabels), MemberType = typeof(Golden))]
    public void Body_headers_and_properties_equal_celery_for_native_csharp_arguments(string label) => AssertSameAsCelery(label, native: true);

    private static void AssertSameAsCelery(string label, bool native)
    {
        var (args, kwargs, golden) = Case(label, native);
        var msg = Encoder().Message(golden.GetProperty("name").GetString()!, "ex", "rk", args, kwargs,
            golden.GetProperty("parent_id").GetString(), golden.GetProperty("root_id").GetString());

        Assert.Equal(golden.GetProperty("body").GetString(), Encoding.UTF8.GetString(msg.Body));
        Assert.Equal(golden.GetProperty("content_type").GetString(), msg.ContentType);
        Assert.Equal(golden.GetProperty("content_encoding").GetString(), msg.ContentEncoding);
        var props = golden.GetProperty("properties");
        Assert.Equal(props.GetProperty("correlation_id").GetString(), msg.CorrelationId);
        Assert.Equal(props.GetProperty("reply_to").GetString(), msg.ReplyTo);

        var expected = golden.GetProperty("headers").EnumerateObject().ToList();
        Assert.Equal(expected.Select(h => h.Name), msg.Headers.Keys);   // same keys, same order
        foreach (var h in expected)
            Assert.Equal(FromJson(h.Value), msg.Headers[h.Name]);
    }

    [Theory]
    [MemberData(nameof(Golden.MessageLabels), MemberType = typeof(Golden))]
    public void SafeRepr_equals_celery_saferepr(string label)
    {
        var m = Golden.Message(label);
        var args = JsonDocument.Parse(m.GetProperty("args_json").GetString()!).RootElement;
        var kwargs = JsonDocument.Parse(m.GetProperty("kwargs_json").GetString()!).RootElement;
        Assert.Equal(m.GetProperty("saferepr_args").GetString(), PythonRepr.SafeRepr(args));
        Assert.Equal(m.GetProperty("saferepr_kwargs").GetString(), PythonRepr.SafeRepr(kwargs));
    }

    [Theory]
    [MemberData(nameof(Golden.ReprCases), MemberType = typeof(Golden))]
    public void Repr_and_dumps_equal_python(string json, string repr, string dumps)
    {
        var value = JsonDocument.Parse(json).RootElement;
        Assert.Equal(repr, PythonRepr.Of(value));
        Assert.Equal(dumps, PythonJson.Dumps(value));
    }

    [Fact]
    public void Golden_file_comes_from_the_celery_version_on_the_wire()
    {
        Assert.Equal("5.2.6", Golden.Data.GetProperty("celery").GetString());
        Assert.True(Golden.Data.GetProperty("messages").GetArrayLength() >= 20);
    }

    // golden header values are JSON: map them to what the encoder puts in its header table
    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetInt32(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        _ => null,
    };
}
