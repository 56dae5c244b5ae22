using System.Text.Json;

namespace Terminus.Core.Celery;

/// <summary>
/// A message as the AMQP layer hands it over. Header values arrive as RabbitMQ.Client 7 gives them: AMQP long
/// strings as byte[] (UTF-8), also string; Int32/Int64/Boolean/null/List/Dictionary/timestamps (unknown types are ignored).
/// </summary>
public sealed record IncomingAmqpMessage(
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    string? ContentEncoding,
    IReadOnlyDictionary<string, object?>? Headers,
    string? CorrelationId,
    string? MessageId);

/// <summary>A decoded Celery task call. Args/Kwargs are uninterpreted JSON (cloned: they outlive the parser).</summary>
public sealed record CeleryTask(
    string Name,
    string Id,
    IReadOnlyList<JsonElement> Args,
    IReadOnlyDictionary<string, JsonElement> Kwargs,
    int ProtocolVersion,
    string? RootId,
    string? ParentId);

public abstract record CeleryDecodeResult;

public sealed record DecodedTask(CeleryTask Task) : CeleryDecodeResult;

/// <summary>The message cannot be run. Reason is one human-readable line; name/id are filled in when known (for logs).</summary>
public sealed record MalformedMessage(string Reason, string? TaskName, string? TaskId) : CeleryDecodeResult;

/// <summary>
/// A ready-to-publish Celery message. Header values are only string, int, long, bool, null or List&lt;object?&gt;,
/// which RabbitMQ.Client 7 writes as AMQP field values (long string, signed int/long, bool, void, array).
/// </summary>
public sealed record OutgoingCeleryMessage(
    string Exchange,
    string RoutingKey,
    string TaskId,
    byte[] Body,
    IReadOnlyDictionary<string, object?> Headers,
    string ContentType,
    string ContentEncoding,
    string CorrelationId,
    string ReplyTo,
    byte Priority,
    bool Persistent);

/// <summary>Who publishes: NodeName goes into the 'origin' header, ReplyTo into the reply_to property.</summary>
/// <param name="NodeName">Like Celery's anon_nodename(): "gen&lt;pid&gt;@&lt;hostname&gt;".</param>
/// <param name="ReplyTo">The producing app's oid (a uuid, stable per daemon run); nobody replies to it.</param>
public sealed record CeleryOrigin(string NodeName, string ReplyTo)
{
    /// <summary>The origin a Celery producer in this process would use. Dns.GetHostName() is the full gethostname()
    /// like Python's socket.gethostname() (Environment.MachineName cuts at the first dot).</summary>
    public static CeleryOrigin ForThisProcess() =>
        new($"gen{Environment.ProcessId}@{System.Net.Dns.GetHostName()}", Guid.NewGuid().ToString());
}
