using System.Text.Json;
using Terminus.Core.Celery;

namespace Terminus.Core.Jobs;

/// <summary>
/// An operator's cancel left for the daemon as a file (<c>terminus cancel</c> when no daemon consumes the monitor
/// queue, or the broker cannot be reached): the keyword arguments of <c>cancel_terminus_job</c> as one JSON object,
/// <c>{"jobid": 4242, "reason": "…", "by": "operator"}</c>, bound by the same rules as the task from the wire.
/// </summary>
public static class CancelNote
{
    public const string Extension = ".cancel";

    /// <summary>The file's name for a job: one note per job, a later cancel replaces an earlier one not taken yet.</summary>
    public static string FileName(JobId job) => job + Extension;

    public static string Write(JobId job, string? reason) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["jobid"] = job.Value, ["reason"] = reason, ["by"] = "operator" });

    public static CancelBinding Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return new CancelBinding.Unusable("not a JSON object");
            var kwargs = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            return CancelBinder.Bind(new CeleryTask(CancelBinder.TaskName, "cancel-note", [], kwargs, 2, null, null));
        }
        catch (JsonException e)
        {
            return new CancelBinding.Unusable($"not JSON: {e.Message}");
        }
    }
}
