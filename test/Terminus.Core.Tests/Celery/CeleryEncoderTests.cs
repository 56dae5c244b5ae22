using System.Text;
using System.Text.Json;
using Terminus.Core.Celery;

namespace Terminus.Core.Tests.Celery;

public class CeleryEncoderTests
{
    private static readonly Guid TaskGuid = Guid.Parse("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");
    private static readonly CeleryOrigin Origin = new("gen4242@worker.example.org", "b0b0b0b0-1111-3222-8333-444444444444");
    private static CeleryEncoder Encoder() => new(Origin, () => TaskGuid);

    [Fact]
    public void JobStatus_is_update_terminus_job_status_on_the_status_exchange()
    {
        var m = Encoder().JobStatus(123, "failed", "Post-processing service 'x' is not available.");

        Assert.Equal(("galactica.status", "galactica.terminus_status"), (m.Exchange, m.RoutingKey));
        Assert.Equal("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", m.TaskId);
        Assert.Equal((m.TaskId, Origin.ReplyTo), (m.CorrelationId, m.ReplyTo));
        Assert.Equal(("application/json", "utf-8", (byte)0, true), (m.ContentType, m.ContentEncoding, m.Priority, m.Persistent));
        Assert.Equal("[[123, \"failed\", \"Post-processing service 'x' is not available.\"], {}, " +
                     "{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]", Encoding.UTF8.GetString(m.Body));

        Assert.Equal(["lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit",
                      "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result"], m.Headers.Keys);
        Assert.Equal("py", m.Headers["lang"]);
        Assert.Equal("update_terminus_job_status", m.Headers["task"]);
        Assert.Equal(m.TaskId, m.Headers["id"]);
        Assert.Equal(0, Assert.IsType<int>(m.Headers["retries"]));
        Assert.Equal(new List<object?> { null, null }, m.Headers["timelimit"]);
        Assert.Equal(m.TaskId, m.Headers["root_id"]);
        Assert.Null(m.Headers["parent_id"]);
        // Celery's saferepr, not repr(): always single quotes, inner ' escaped
        Assert.Equal("[123, 'failed', 'Post-processing service \\'x\\' is not available.']", m.Headers["argsrepr"]);
        Assert.Equal("{}", m.Headers["kwargsrepr"]);
        Assert.Equal("gen4242@worker.example.org", m.Headers["origin"]);
        Assert.Equal(false, m.Headers["ignore_result"]);
        foreach (var key in new[] { "shadow", "eta", "expires", "group", "group_index" }) Assert.Null(m.Headers[key]);
    }

    [Fact]
    public void Status_sent_from_inside_a_job_task_links_to_its_parent_and_root()
    {
        var m = Encoder().JobStatus(7, "running", "Job is running.", parentTaskId: "job-task", rootTaskId: "galactica-root");
        Assert.Equal(("galactica-root", "job-task"), ((string?)m.Headers["root_id"], (string?)m.Headers["parent_id"]));
        var orphan = Encoder().JobStatus(7, "running", "Job is running.", parentTaskId: "job-task");
        Assert.Equal(orphan.TaskId, orphan.Headers["root_id"]);
    }

    [Fact]
    public void ServerOnline_is_update_server_online_to_host_online()
    {
        var m = Encoder().ServerOnline("myhost", parentTaskId: "probe-id", rootTaskId: "probe-id");
        Assert.Equal(("galactica.status", "host_online"), (m.Exchange, m.RoutingKey));
        Assert.Equal("update_server_online", m.Headers["task"]);
        Assert.Equal("['myhost']", m.Headers["argsrepr"]);
        Assert.Equal("[[\"myhost\"], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]", Encoding.UTF8.GetString(m.Body));
        Assert.Equal("probe-id", m.Headers["parent_id"]);
    }

    [Fact]
    public void Extra_headers_are_appended_and_the_body_is_untouched()
    {
        var plain = Encoder().JobStatus(1, "pending", "Job successfully submitted (pending execution)");
        var extra = Encoder().JobStatus(1, "pending", "Job successfully submitted (pending execution)",
            extraHeaders: new Dictionary<string, object?> { ["x-terminus-seq"] = 5L, ["x-terminus-host"] = "h", ["x-list"] = new List<object?> { 1, "a", null } });
        Assert.Equal(plain.Body, extra.Body);
        Assert.Equal(plain.Headers.Keys.Concat(["x-terminus-seq", "x-terminus-host", "x-list"]), extra.Headers.Keys);
        Assert.Equal(5L, extra.Headers["x-terminus-seq"]);
    }

    [Fact]
    public void Extra_headers_cannot_replace_celery_headers_or_carry_other_types()
    {
        Assert.Throws<ArgumentException>(() => Encoder().JobStatus(1, "s", "m", extraHeaders: new Dictionary<string, object?> { ["task"] = "evil" }));
        Assert.Throws<ArgumentException>(() => Encoder().JobStatus(1, "s", "m", extraHeaders: new Dictionary<string, object?> { ["x-d"] = 1.5 }));
        Assert.Throws<ArgumentException>(() => Encoder().JobStatus(1, "s", "m", extraHeaders: new Dictionary<string, object?> { ["x-l"] = new List<object?> { DateTime.Now } }));
    }

    [Fact]
    public void Header_values_are_only_amqp_friendly_types()
    {
        var m = Encoder().Message("t", "e", "r", [1, "two", 3.5, true, null, new List<object?> { 1 }, new Dictionary<string, object?> { ["k"] = "v" }]);
        foreach (var v in m.Headers.Values)
            Assert.True(v is null or string or int or long or bool or List<object?>, v?.GetType().Name);
    }

    [Fact]
    public void Each_message_gets_a_new_lowercase_uuid4_by_default()
    {
        var enc = new CeleryEncoder(Origin);
        var a = enc.ServerOnline("h");
        var b = enc.ServerOnline("h");
        Assert.NotEqual(a.TaskId, b.TaskId);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", a.TaskId);
    }

    [Fact]
    public void Non_ascii_and_control_characters_are_escaped_like_json_dumps()
    {
        var m = Encoder().JobStatus(9, "failed", "Job stopped with error message : 'é😀\n\t\"'.");
        var body = Encoding.UTF8.GetString(m.Body);
        Assert.Contains("\"Job stopped with error message : '\\u00e9\\ud83d\\ude00\\n\\t\\\"'.\"", body);
        Assert.All(m.Body, b => Assert.True(b < 0x80));
        // saferepr keeps the raw characters and only escapes the quote
        Assert.Equal("[9, 'failed', 'Job stopped with error message : \\'é😀\n\t\"\\'.']", m.Headers["argsrepr"]);
    }

    [Fact]
    public void Empty_args_show_as_the_empty_tuple_like_celery()
    {
        Assert.Equal("()", Encoder().Message("t", "e", "r", []).Headers["argsrepr"]);
    }

    [Fact]
    public void Encoded_messages_decode_back_as_rabbitmq_would_deliver_them()
    {
        var m = Encoder().JobStatus(long.MaxValue, "uploaded", "Job data tarball successfully uploaded.", parentTaskId: "p", rootTaskId: "r");
        // RabbitMQ.Client delivers long strings as byte[]
        var delivered = m.Headers.ToDictionary(h => h.Key, h => h.Value is string s ? Encoding.UTF8.GetBytes(s) : h.Value);
        var r = CeleryDecoder.Decode(new IncomingAmqpMessage(m.Body, m.ContentType, m.ContentEncoding, delivered, m.CorrelationId, null));
        var t = Assert.IsType<DecodedTask>(r).Task;
        Assert.Equal(("update_terminus_job_status", m.TaskId, "r", "p"), (t.Name, t.Id, t.RootId, t.ParentId));
        Assert.Equal(long.MaxValue, t.Args[0].GetInt64());
        Assert.Equal(["uploaded", "Job data tarball successfully uploaded."], t.Args.Skip(1).Select(a => a.GetString()));
    }

    [Fact]
    public void Origin_for_this_process_looks_like_celerys_anon_nodename()
    {
        var o = CeleryOrigin.ForThisProcess();
        Assert.StartsWith($"gen{Environment.ProcessId}@", o.NodeName);
        Assert.True(Guid.TryParse(o.ReplyTo, out _));
    }

    [Fact]
    public void NaN_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Encoder().Message("t", "e", "r", [double.NaN]));
        Assert.Equal("[[Infinity, -Infinity], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]",
            Encoding.UTF8.GetString(Encoder().Message("t", "e", "r", [double.PositiveInfinity, double.NegativeInfinity]).Body));
    }

    [Fact]
    public void Json_element_arguments_are_passed_through_unchanged()
    {
        var kwargs = JsonDocument.Parse("{\"size\": [0.1, \"kpc\"], \"n\": 10, \"f\": 1E5}").RootElement;
        var m = Encoder().Message("t", "e", "r", [kwargs]);
        Assert.StartsWith("[[{\"size\": [0.1, \"kpc\"], \"n\": 10, \"f\": 100000.0}], {}", Encoding.UTF8.GetString(m.Body));
    }
}
