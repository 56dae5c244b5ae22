using System.Text;
using System.Text.Json;
using Terminus.Core.Celery;

namespace Terminus.Core.Tests.Celery;

/// <summary>Decoding messages captured from a real Celery 5 producer (docs/wire-contract.md), protocol v1, and everything malformed.</summary>
public class CeleryDecoderTests
{
    private const string Embed = "{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}";
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Headers the way RabbitMQ.Client 7.2.2 hands them over (long strings as byte[]), as captured on the wire.</summary>
    private static Dictionary<string, object?> WireHeaders(string task, string id, string argsrepr, string kwargsrepr, string origin) => new()
    {
        ["lang"] = B("py"), ["task"] = B(task), ["id"] = B(id), ["shadow"] = null, ["eta"] = null, ["expires"] = null,
        ["group"] = null, ["group_index"] = null, ["retries"] = 0, ["timelimit"] = new List<object?> { null, null },
        ["root_id"] = B(id), ["parent_id"] = null, ["argsrepr"] = B(argsrepr), ["kwargsrepr"] = B(kwargsrepr),
        ["origin"] = B(origin), ["ignore_result"] = false,
    };

    private static IncomingAmqpMessage Msg(string body, IReadOnlyDictionary<string, object?>? headers, string? correlationId = null,
                                           string? contentType = "application/json", string? contentEncoding = "utf-8", string? messageId = null) =>
        new(B(body), contentType, contentEncoding, headers, correlationId, messageId);

    private static CeleryTask Ok(IncomingAmqpMessage m)
    {
        var r = CeleryDecoder.Decode(m);
        return Assert.IsType<DecodedTask>(r, exactMatch: true).Task;
    }

    private static MalformedMessage Bad(IncomingAmqpMessage m) => Assert.IsType<MalformedMessage>(CeleryDecoder.Decode(m), exactMatch: true);

    [Fact]
    public void A1_execute_terminus_job_as_read_by_RabbitMQ_Client()
    {
        const string id = "07f33a53-56e4-4fde-b79d-fb234bc55a05";
        var body = "[[123, \"density_map\", \"GAL_FORMATION\", \"TEST_GALAXY\", \"SIMU_1\", \"output_00003\"], " +
                   "{\"xcenter\": 0.5, \"size\": [0.1, \"kpc\"], \"test\": false}, " + Embed + "]";
        var headers = WireHeaders("execute_terminus_job", id,
            "[123, 'density_map', 'GAL_FORMATION', 'TEST_GALAXY', 'SIMU_1', 'output_00003']",
            "{'xcenter': 0.5, 'size': [0.1, 'kpc'], 'test': False}", "gen25282@vm");
        var t = Ok(Msg(body, headers, correlationId: id));

        Assert.Equal("execute_terminus_job", t.Name);
        Assert.Equal(id, t.Id);
        Assert.Equal(2, t.ProtocolVersion);
        Assert.Equal(id, t.RootId);
        Assert.Null(t.ParentId);
        Assert.Equal(6, t.Args.Count);
        Assert.Equal(123, t.Args[0].GetInt64());
        Assert.Equal(["density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "output_00003"], t.Args.Skip(1).Select(a => a.GetString()));
        Assert.Equal(["xcenter", "size", "test"], t.Kwargs.Keys);
        Assert.Equal(0.5, t.Kwargs["xcenter"].GetDouble());
        Assert.Equal("[0.1, 'kpc']", PythonRepr.Of(t.Kwargs["size"]));
        Assert.Equal(JsonValueKind.False, t.Kwargs["test"].ValueKind);
        // what Celery put in the headers is what our saferepr gives for the decoded values
        Assert.Equal("{'xcenter': 0.5, 'size': [0.1, 'kpc'], 'test': False}",
            PythonRepr.SafeRepr(JsonDocument.Parse(body).RootElement[1]));
    }

    [Fact]
    public void A2_same_message_with_string_headers_as_py_amqp_shows_them()
    {
        const string id = "80925f90-1b05-4360-8da4-b456f8ba281a";
        var headers = new Dictionary<string, object?>
        {
            ["lang"] = "py", ["task"] = "execute_terminus_job", ["id"] = id, ["shadow"] = null, ["retries"] = 0,
            ["timelimit"] = new List<object?> { null, null }, ["root_id"] = id, ["parent_id"] = null, ["ignore_result"] = false,
        };
        var t = Ok(Msg("[[123, \"density_map\", \"GAL_FORMATION\", \"TEST_GALAXY\", \"SIMU_1\", \"output_00003\"], " +
                       "{\"xcenter\": 0.5, \"size\": [0.1, \"kpc\"], \"test\": false}, " + Embed + "]", headers, id));
        Assert.Equal(("execute_terminus_job", id, 6, 3), (t.Name, t.Id, t.Args.Count, t.Kwargs.Count));
    }

    [Fact]
    public void B_dead_lettered_probe_with_x_death()
    {
        const string id = "c2efc57d-a836-49ce-8109-8ea99762fb1d";
        var headers = WireHeaders("test_terminus_server_is_up", id, "['myhost']", "{}", "gen25283@vm");
        headers["x-death"] = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["count"] = 1L, ["reason"] = B("expired"), ["queue"] = B("myhost.monitor"),
                ["time"] = new FakeAmqpTimestamp(1795585138), ["exchange"] = B("terminus"),
                ["routing-keys"] = new List<object?> { B("myhost.monitoring") },
            },
        };
        headers["x-first-death-exchange"] = B("terminus");
        headers["x-first-death-queue"] = B("myhost.monitor");
        headers["x-first-death-reason"] = B("expired");
        var t = Ok(Msg("[[\"myhost\"], {}, " + Embed + "]", headers, id));
        Assert.Equal("test_terminus_server_is_up", t.Name);
        Assert.Equal("myhost", Assert.Single(t.Args).GetString());
        Assert.Empty(t.Kwargs);
    }

    private sealed record FakeAmqpTimestamp(long UnixTime);

    [Fact]
    public void C_default_exchange_send_with_nested_kwargs()
    {
        const string id = "6c2657e6-5d40-4ab4-934a-70f1d4587388";
        var t = Ok(Msg("[[4711, \"/opt/jobs/4711/run.sh\"], {\"run_mode\": \"slurm\", \"storage_host\": \"Galactica_storage\", " +
                       "\"extra\": {\"cpus\": 2, \"tags\": [\"a\", \"b\"]}}, " + Embed + "]",
            WireHeaders("execute_terminus_job", id, "[4711, '/opt/jobs/4711/run.sh']",
                "{'run_mode': 'slurm', 'storage_host': 'Galactica_storage', 'extra': {'cpus': 2, 'tags': ['a', 'b']}}", "gen17682@vm"), id));
        Assert.Equal(4711, t.Args[0].GetInt32());
        Assert.Equal("{'cpus': 2, 'tags': ['a', 'b']}", PythonRepr.Of(t.Kwargs["extra"]));
    }

    [Fact]
    public void C2_eta_expires_and_timelimit_values_are_tolerated()
    {
        const string id = "5919c249-0563-472a-85fd-103443bfb33f";
        var headers = WireHeaders("execute_terminus_job", id, "[4712, '/opt/jobs/4712/run.sh']", "{}", "gen17915@vm");
        headers["eta"] = B("2026-11-25T05:28:44.709280+00:00");
        headers["expires"] = B("2026-11-25T06:28:14.709280+00:00");
        headers["timelimit"] = new List<object?> { 600, 550 };
        var t = Ok(Msg("[[4712, \"/opt/jobs/4712/run.sh\"], {}, " + Embed + "]", headers, id));
        Assert.Equal((id, 2, 0), (t.Id, t.Args.Count, t.Kwargs.Count));
    }

    [Fact]
    public void Kwargs_only_body()
    {
        var t = Ok(Msg("[[], {\"jobid\": 5, \"service_name\": \"s\", \"cat_alias\": \"c\"}, " + Embed + "]",
            new Dictionary<string, object?> { ["task"] = B("execute_terminus_job"), ["id"] = B("abc") }));
        Assert.Empty(t.Args);
        Assert.Equal(5, t.Kwargs["jobid"].GetInt32());
    }

    [Fact]
    public void Two_element_v2_body_and_null_embed_are_accepted()
    {
        var h = new Dictionary<string, object?> { ["task"] = "t", ["id"] = "1" };
        Assert.Single(Ok(Msg("[[1], {}]", h)).Args);
        Assert.Single(Ok(Msg("[[1], {}, null]", h)).Args);
    }

    [Fact]
    public void Task_id_falls_back_to_correlation_id_then_message_id()
    {
        var h = new Dictionary<string, object?> { ["task"] = B("t") };
        Assert.Equal("corr", Ok(Msg("[[], {}, {}]", h, correlationId: "corr", messageId: "mid")).Id);
        Assert.Equal("mid", Ok(Msg("[[], {}, {}]", h, messageId: "mid")).Id);
        h["id"] = Array.Empty<byte>();   // empty counts as absent
        Assert.Equal("mid", Ok(Msg("[[], {}, {}]", h, messageId: "mid")).Id);
    }

    [Fact]
    public void Root_and_parent_ids_come_from_headers()
    {
        var t = Ok(Msg("[[], {}, {}]", new Dictionary<string, object?>
            { ["task"] = "t", ["id"] = "me", ["root_id"] = B("root"), ["parent_id"] = "parent" }));
        Assert.Equal(("root", "parent"), (t.RootId, t.ParentId));
    }

    [Fact]
    public void Protocol_v1_body()
    {
        var t = Ok(Msg("{\"task\": \"execute_terminus_job\", \"id\": \"v1-id\", \"args\": [1, \"svc\"], \"kwargs\": {\"test\": true}, " +
                       "\"retries\": 0, \"eta\": null, \"expires\": null, \"utc\": true, \"callbacks\": null, \"errbacks\": null}",
            new Dictionary<string, object?>(), correlationId: "corr"));
        Assert.Equal(("execute_terminus_job", "v1-id", 1), (t.Name, t.Id, t.ProtocolVersion));
        Assert.Equal(2, t.Args.Count);
        Assert.Equal(JsonValueKind.True, t.Kwargs["test"].ValueKind);
    }

    [Theory]
    [InlineData("{\"task\": \"t\", \"id\": \"i\", \"args\": [1]}")]
    [InlineData("{\"task\": \"t\", \"id\": \"i\", \"args\": [1], \"kwargs\": null}")]
    public void Protocol_v1_missing_or_null_kwargs_is_empty(string body)
    {
        var t = Ok(Msg(body, null));
        Assert.Empty(t.Kwargs);
        Assert.Single(t.Args);
    }

    [Fact]
    public void Protocol_v1_without_body_id_uses_correlation_id()
    {
        Assert.Equal("corr", Ok(Msg("{\"task\": \"t\", \"args\": [], \"kwargs\": {}}", null, correlationId: "corr")).Id);
    }

    [Fact]
    public void Missing_content_type_and_encoding_are_tried_as_json()
    {
        var t = Ok(Msg("[[1], {}, {}]", new Dictionary<string, object?> { ["task"] = "t", ["id"] = "i" }, contentType: null, contentEncoding: null));
        Assert.Equal("t", t.Name);
        Ok(Msg("[[1], {}, {}]", new Dictionary<string, object?> { ["task"] = "t", ["id"] = "i" }, contentType: "application/json; charset=utf-8", contentEncoding: "UTF8"));
    }

    [Fact]
    public void Repeated_kwarg_keeps_the_last_value_like_json_loads()
    {
        var t = Ok(Msg("[[], {\"a\": 1, \"a\": 2}, {}]", new Dictionary<string, object?> { ["task"] = "t", ["id"] = "i" }));
        Assert.Equal(2, t.Kwargs["a"].GetInt32());
    }

    [Fact]
    public void Decoded_values_outlive_the_parser_and_keep_big_numbers_exact()
    {
        var t = Ok(Msg("[[123456789012345678901234567890, 1e400, -0.0, \"\\u00e9\\ud83d\\ude00\"], {\"k\": [{\"x\": null}]}, {}]",
            new Dictionary<string, object?> { ["task"] = "t", ["id"] = "i" }));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal("[123456789012345678901234567890, inf, -0.0, 'é😀']", "[" + string.Join(", ", t.Args.Select(PythonRepr.Of)) + "]");
        Assert.Equal("[{'x': None}]", PythonRepr.Of(t.Kwargs["k"]));
    }

    public static TheoryData<string, string?, string?, Dictionary<string, object?>?, string> MalformedCorpus() => new()
    {
        // body, content type, content encoding, headers, expected fragment of the reason
        { "[[], {}, {}]", "application/x-python-serialize", "binary", V2(), "unsupported content type 'application/x-python-serialize' (only JSON is accepted)" },
        { "[[], {}, {}]", "application/x-yaml", "utf-8", V2(), "unsupported content type 'application/x-yaml'" },
        { "[[], {}, {}]", "application/x-msgpack", "binary", V2(), "unsupported content type 'application/x-msgpack'" },
        { "[[], {}, {}]", "application/json", "binary", V2(), "unsupported content encoding 'binary'" },
        { "[[], {}, {}]", "application/json", "utf-16", V2(), "unsupported content encoding 'utf-16'" },
        { "[[], {}, {}]", "application/json", "utf-8", V2(("compression", B("application/x-gzip"))), "compressed bodies are not supported (compression 'application/x-gzip')" },
        { "", "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "   ", "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "[[1, 2], {}, {", "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "[[1, 2], {},]", "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "[[NaN], {}, {}]", "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "[[1], {}, {}] trailing", "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "\"just a string\"", "application/json", "utf-8", V2(), "protocol v2 body must be a JSON array [args, kwargs, embed], got a string" },
        { "42", "application/json", "utf-8", V2(), "got a number" },
        { "null", "application/json", "utf-8", V2(), "got null" },
        { "{\"args\": []}", "application/json", "utf-8", V2(), "got an object" },
        { "[]", "application/json", "utf-8", V2(), "got an array of 0 elements" },
        { "[[]]", "application/json", "utf-8", V2(), "got an array of 1 elements" },
        { "[[], {}, {}, {}]", "application/json", "utf-8", V2(), "got an array of 4 elements" },
        { "[{}, {}, {}]", "application/json", "utf-8", V2(), "task args must be a JSON array, got an object" },
        { "[\"abc\", {}, {}]", "application/json", "utf-8", V2(), "task args must be a JSON array, got a string" },
        { "[null, {}, {}]", "application/json", "utf-8", V2(), "task args must be a JSON array, got null" },
        { "[[], [], {}]", "application/json", "utf-8", V2(), "task kwargs must be a JSON object, got an array" },
        { "[[], null, {}]", "application/json", "utf-8", V2(), "task kwargs must be a JSON object, got null" },
        { "[[], {}, 5]", "application/json", "utf-8", V2(), "embed (3rd body element) must be an object or null, got a number" },
        { "[[], {}, {}]", "application/json", "utf-8", new() { ["id"] = B("i") }, "missing task name: no 'task' header (protocol v2)" },
        { "[[], {}, {}]", "application/json", "utf-8", null, "missing task name" },
        { "[[], {}, {}]", "application/json", "utf-8", new() { ["task"] = B(""), ["id"] = B("i") }, "header 'task' is empty" },
        { "[[], {}, {}]", "application/json", "utf-8", new() { ["task"] = "  ", ["id"] = B("i") }, "header 'task' is empty" },
        { "[[], {}, {}]", "application/json", "utf-8", new() { ["task"] = 17, ["id"] = B("i") }, "header 'task' must be a string, got Int32" },
        { "[[], {}, {}]", "application/json", "utf-8", new() { ["task"] = new byte[] { 0xff, 0xfe }, ["id"] = B("i") }, "header 'task' is not valid UTF-8" },
        { "[[], {}, {}]", "application/json", "utf-8", new() { ["task"] = B("t") }, "no task id" },
        { "{\"id\": \"x\", \"args\": []}", "application/json", "utf-8", null, "missing task name: no 'task' header and no \"task\" in the body" },
        { "{\"task\": null, \"id\": \"x\"}", "application/json", "utf-8", null, "missing task name" },
        { "{\"task\": 5, \"id\": \"x\"}", "application/json", "utf-8", null, "protocol v1 \"task\" must be a string, got a number" },
        { "{\"task\": \"\", \"id\": \"x\"}", "application/json", "utf-8", null, "protocol v1 \"task\" is empty" },
        { "{\"task\": \"t\"}", "application/json", "utf-8", null, "no task id" },
        { "{\"task\": \"t\", \"id\": \"x\", \"args\": {}}", "application/json", "utf-8", null, "task args must be a JSON array, got an object" },
        { "{\"task\": \"t\", \"id\": \"x\", \"kwargs\": [1]}", "application/json", "utf-8", null, "task kwargs must be a JSON object, got an array" },
        { "[[\"\\ud800\"], {}, {}]", "application/json", "utf-8", V2(), "lone surrogate" },
        { "[[], {\"\\udc00\": 1}, {}]", "application/json", "utf-8", V2(), "lone surrogate" },
        { new string('[', 65) + new string(']', 65), "application/json", "utf-8", V2(), "body is not valid JSON" },
        { "[" + new string('[', 5000) + new string(']', 5000) + ", {}, {}]", "application/json", "utf-8", V2(), "body is not valid JSON" },
    };

    private static Dictionary<string, object?> V2(params (string Key, object? Value)[] extra)
    {
        var h = new Dictionary<string, object?> { ["task"] = B("execute_terminus_job"), ["id"] = B("the-id") };
        foreach (var (k, v) in extra) h[k] = v;
        return h;
    }

    [Theory]
    [MemberData(nameof(MalformedCorpus))]
    public void Malformed_messages_get_a_clear_reason(string body, string? contentType, string? contentEncoding,
                                                      Dictionary<string, object?>? headers, string reason)
    {
        var bad = Bad(Msg(body, headers, contentType: contentType, contentEncoding: contentEncoding));
        Assert.Contains(reason, bad.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', bad.Reason);
        // name and id are reported when the headers had them, for the log line
        if (headers?.GetValueOrDefault("task") is byte[] { Length: > 0 } task && task[0] != 0xff)
            Assert.Equal(Encoding.UTF8.GetString(task), bad.TaskName);
        if (headers?.GetValueOrDefault("id") is byte[] id) Assert.Equal(Encoding.UTF8.GetString(id), bad.TaskId);
    }

    [Fact]
    public void Invalid_utf8_body_is_reported_with_its_offset()
    {
        var body = B("[[\"ab").Concat(new byte[] { 0xc3, 0x28 }).Concat(B("\"], {}, {}]")).ToArray();
        var bad = Bad(new IncomingAmqpMessage(body, "application/json", "utf-8", V2(), null, null));
        Assert.Equal("body is not valid UTF-8 (bad byte at offset 5)", bad.Reason);
        Assert.Equal(("execute_terminus_job", "the-id"), (bad.TaskName, bad.TaskId));
    }

    [Fact]
    public void Fuzz_never_throws()
    {
        var rng = new Random(12345);
        var valid = B("[[123, \"density_map\", \"G\", \"P\", \"S\", \"output_00003\"], {\"xcenter\": 0.5, \"size\": [0.1, \"kpc\"], " +
                      "\"test\": false, \"big\": 1234567890123456789012345678901234567890e99999}, " + Embed + "]");
        var v1 = B("{\"task\": \"t\", \"id\": \"x\", \"args\": [1, [2, {\"a\": \"\\u00e9\"}]], \"kwargs\": {\"k\": null}}");
        object?[] headerValues = [null, "t", B("t"), Array.Empty<byte>(), new byte[] { 0xff }, 1, 2L, true, new List<object?> { B("x") },
                                  new Dictionary<string, object?> { ["a"] = 1 }, new object(), 3.5];
        for (var i = 0; i < 20000; i++)
        {
            byte[] body = (i % 4) switch
            {
                0 => RandomBytes(rng, rng.Next(0, 64)),
                1 => valid[..rng.Next(0, valid.Length + 1)],                      // truncated
                2 => Mutate(rng, i % 8 == 2 ? v1 : valid),                         // flipped bytes
                _ => B(RandomJsonish(rng)),
            };
            var headers = new Dictionary<string, object?>();
            foreach (var key in new[] { "task", "id", "root_id", "parent_id", "compression" })
                if (rng.Next(3) > 0 && (key != "compression" || rng.Next(10) == 0)) headers[key] = headerValues[rng.Next(headerValues.Length)];
            var m = new IncomingAmqpMessage(body, rng.Next(8) == 0 ? null : "application/json", rng.Next(8) == 0 ? null : "utf-8",
                rng.Next(10) == 0 ? null : headers, rng.Next(2) == 0 ? null : "corr", null);
            var r = CeleryDecoder.Decode(m);
            if (r is DecodedTask d)   // whatever decodes must also be printable
            {
                foreach (var a in d.Task.Args) { _ = PythonRepr.Of(a); _ = PythonRepr.SafeRepr(a); }
                foreach (var kv in d.Task.Kwargs) _ = PythonRepr.Of(kv.Value);
            }
            else Assert.False(string.IsNullOrWhiteSpace(Assert.IsType<MalformedMessage>(r).Reason));
        }
    }

    [Fact]
    public void Huge_and_deep_inputs_do_not_throw()
    {
        var h = V2();
        Assert.IsType<DecodedTask>(CeleryDecoder.Decode(Msg("[[" + new string('9', 100_000) + "], {}, {}]", h)));
        Assert.IsType<DecodedTask>(CeleryDecoder.Decode(Msg("[[" + new string('[', 60) + new string(']', 60) + "], {}, {}]", h)));
        Assert.IsType<MalformedMessage>(CeleryDecoder.Decode(Msg("[[" + new string('{', 100) + "], {}, {}]", h)));
        Assert.IsType<DecodedTask>(CeleryDecoder.Decode(Msg("[[\"" + new string('x', 5_000_000) + "\"], {}, {}]", h)));
    }

    private static byte[] RandomBytes(Random rng, int n) { var b = new byte[n]; rng.NextBytes(b); return b; }

    private static byte[] Mutate(Random rng, byte[] source)
    {
        var b = (byte[])source.Clone();
        for (var k = rng.Next(1, 4); k > 0; k--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
        return b;
    }

    private static string RandomJsonish(Random rng)
    {
        string[] parts = ["[", "]", "{", "}", ",", ":", "\"a\"", "\"\\u00e9\"", "\"\\ud800\"", "1", "-0", "1e400", "0.1", "true",
                          "null", " ", "\"task\"", "\"id\"", "\"args\"", "\"kwargs\"", "[[], {}, {}]", "\"\\\"\""];
        var sb = new StringBuilder();
        for (var k = rng.Next(1, 30); k > 0; k--) sb.Append(parts[rng.Next(parts.Length)]);
        return sb.ToString();
    }
}
