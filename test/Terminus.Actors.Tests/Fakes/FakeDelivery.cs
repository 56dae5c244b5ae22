using System.Text;
using Terminus.Actors.Amqp;
using Terminus.Core.Celery;

namespace Terminus.Actors.Tests.Fakes;

/// <summary>A delivery that records how it was settled.</summary>
internal sealed class FakeDelivery(IncomingAmqpMessage message, string queue = "myhost.terminus_jobs", bool redelivered = false) : IDelivery
{
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Queue { get; } = queue;
    public bool Redelivered { get; } = redelivered;
    public IncomingAmqpMessage Message { get; } = message;
    public Task Settled => _settled.Task;
    public string? Outcome { get; private set; }

    public bool Acked => Outcome == "ack";

    public Task<bool> AckAsync() => Settle("ack");
    public Task<bool> RejectAsync(bool requeue) => Settle(requeue ? "requeue" : "reject");

    private Task<bool> Settle(string outcome)
    {
        lock (this) Outcome ??= outcome;
        _settled.TrySetResult();
        return Task.FromResult(true);
    }

    /// <summary>A Celery protocol-2 task message as the portal's Celery client sends it.</summary>
    public static FakeDelivery TaskMessage(string name, string args, string kwargs = "{}", string? id = null, string queue = "myhost.terminus_jobs") =>
        Raw($"[{args}, {kwargs}, {{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}}]",
            new Dictionary<string, object?> { ["task"] = Encoding.UTF8.GetBytes(name), ["id"] = Encoding.UTF8.GetBytes(id ?? Guid.NewGuid().ToString()), ["lang"] = "py"u8.ToArray() },
            queue);

    public static FakeDelivery Job(long jobId, string service = "density_map", string kwargs = "{\"test\": false}", string? taskId = null) =>
        TaskMessage("execute_terminus_job", $"[{jobId}, \"{service}\", \"GAL_FORMATION\", \"TEST_GALAXY\", \"SIMU_1\", \"output_00003\"]", kwargs, taskId);

    /// <summary>The same message delivered again by the broker (same Celery task id), as after a reconnect.</summary>
    public FakeDelivery Again() => new(Message, Queue, redelivered: true);

    public static FakeDelivery Raw(string body, IDictionary<string, object?>? headers = null, string queue = "myhost.terminus_jobs",
        string contentType = "application/json") =>
        new(new IncomingAmqpMessage(Encoding.UTF8.GetBytes(body), contentType, "utf-8",
            headers is null ? null : new Dictionary<string, object?>(headers), null, null), queue);
}
