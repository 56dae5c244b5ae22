using System.Text;

namespace Terminus.Core.Celery;

/// <summary>
/// Builds the messages a Celery 5.2 producer publishes for app.send_task(name, args, exchange=, routing_key=)
/// (celery.app.amqp.AMQP.as_task_v2 + kombu's JSON serializer), byte for byte: same body, same headers in the same
/// order, same properties. Golden tests compare against the real Celery.
/// </summary>
public sealed class CeleryEncoder
{
    public const string StatusExchange = "galactica.status";
    public const string JobStatusTask = "update_terminus_job_status";
    public const string JobStatusRoutingKey = "galactica.terminus_status";
    public const string ServerOnlineTask = "update_server_online";
    public const string ServerOnlineRoutingKey = "host_online";

    // Headers Celery itself writes; extra headers may not replace them.
    private static readonly string[] CeleryHeaders =
    [
        "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit",
        "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result",
    ];

    private const string Embed = "{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}";

    private readonly CeleryOrigin _origin;
    private readonly Func<Guid> _newId;
    private readonly bool _ignoreResult;

    /// <param name="newId">Task id source (for deterministic tests); default Guid.NewGuid, i.e. uuid4 like Celery.</param>
    /// <param name="ignoreResult">The ignore_result header: send_task() writes False (as captured on the wire);
    /// a Python stub task declared with ignore_result=True would write True. Galactica has no result backend either way.</param>
    public CeleryEncoder(CeleryOrigin origin, Func<Guid>? newId = null, bool ignoreResult = false)
    {
        _origin = origin;
        _newId = newId ?? Guid.NewGuid;
        _ignoreResult = ignoreResult;
    }

    /// <summary>update_terminus_job_status(jobid, status, message) -> galactica.status / galactica.terminus_status.</summary>
    public OutgoingCeleryMessage JobStatus(long jobId, string status, string message, string? parentTaskId = null,
                                           string? rootTaskId = null, IReadOnlyDictionary<string, object?>? extraHeaders = null) =>
        Message(JobStatusTask, StatusExchange, JobStatusRoutingKey, [jobId, status, message], null, parentTaskId, rootTaskId, extraHeaders);

    /// <summary>update_server_online(host) -> galactica.status / host_online.</summary>
    public OutgoingCeleryMessage ServerOnline(string host, string? parentTaskId = null, string? rootTaskId = null) =>
        Message(ServerOnlineTask, StatusExchange, ServerOnlineRoutingKey, [host], null, parentTaskId, rootTaskId);

    /// <summary>
    /// Any task call. Args/kwargs values: null, bool, string, integers, double, JsonElement, string-keyed dictionaries,
    /// lists. A parent id is the task we run inside of; the root defaults to our own id, as in Celery.
    /// </summary>
    public OutgoingCeleryMessage Message(string taskName, string exchange, string routingKey, IReadOnlyList<object?> args,
                                         IReadOnlyDictionary<string, object?>? kwargs = null, string? parentTaskId = null,
                                         string? rootTaskId = null, IReadOnlyDictionary<string, object?>? extraHeaders = null)
    {
        var id = _newId().ToString();   // "D" format, lowercase: str(uuid.uuid4())
        var argsElement = PythonJson.ToElement(args);
        var kwargsElement = PythonJson.ToElement(kwargs ?? new Dictionary<string, object?>());

        var headers = new Dictionary<string, object?>
        {
            ["lang"] = "py",
            ["task"] = taskName,
            ["id"] = id,
            ["shadow"] = null,
            ["eta"] = null,
            ["expires"] = null,
            ["group"] = null,
            ["group_index"] = null,
            ["retries"] = 0,
            ["timelimit"] = new List<object?> { null, null },
            ["root_id"] = string.IsNullOrEmpty(rootTaskId) ? id : rootTaskId,
            ["parent_id"] = parentTaskId,
            // as_task_v2 does `args = args or ()`: an empty list is shown as the empty tuple
            ["argsrepr"] = args.Count == 0 ? "()" : PythonRepr.SafeRepr(argsElement),
            ["kwargsrepr"] = PythonRepr.SafeRepr(kwargsElement),
            ["origin"] = _origin.NodeName,
            ["ignore_result"] = _ignoreResult,
        };
        foreach (var (key, value) in extraHeaders ?? new Dictionary<string, object?>())
        {
            if (CeleryHeaders.Contains(key)) throw new ArgumentException($"extra header '{key}' would replace a Celery header", nameof(extraHeaders));
            CheckHeaderValue(key, value);
            headers[key] = value;
        }

        var body = $"[{PythonJson.Dumps(argsElement)}, {PythonJson.Dumps(kwargsElement)}, {Embed}]";
        return new OutgoingCeleryMessage(exchange, routingKey, id, Encoding.UTF8.GetBytes(body), headers,
            ContentType: "application/json", ContentEncoding: "utf-8", CorrelationId: id, ReplyTo: _origin.ReplyTo,
            Priority: 0, Persistent: true);
    }

    private static void CheckHeaderValue(string key, object? value)
    {
        switch (value)
        {
            case null or string or int or long or bool: return;
            case List<object?> list: foreach (var item in list) CheckHeaderValue(key, item); return;
            default: throw new ArgumentException($"extra header '{key}': {value.GetType().Name} is not an AMQP field value we send", nameof(value));
        }
    }
}
