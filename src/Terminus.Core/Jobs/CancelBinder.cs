using System.Text.Json;
using Terminus.Core.Celery;
using Terminus.Core.Text;

namespace Terminus.Core.Jobs;

/// <summary>A <c>cancel_terminus_job</c> task as bound: a request, or why it names no job.</summary>
public abstract record CancelBinding
{
    public sealed record Usable(CancelRequest Request) : CancelBinding;

    public sealed record Unusable(string Reason) : CancelBinding;
}

/// <summary>
/// Binds our wire extension <c>cancel_terminus_job(jobid, reason=None, by="portal")</c> (docs/wire-contract.md) the
/// way Python would bind it, without ever throwing. <c>by</c> is <c>"portal"</c> or <c>"operator"</c>
/// (<c>terminus cancel</c> sends the latter); the reason is cut to one printable line.
/// </summary>
public static class CancelBinder
{
    public const string TaskName = "cancel_terminus_job";
    public const int MaxReasonLength = 200;

    private static readonly string[] Positional = ["jobid", "reason", "by"];

    public static CancelBinding Bind(CeleryTask task)
    {
        if (task.Args.Count > Positional.Length)
            return new CancelBinding.Unusable($"{task.Args.Count} positional arguments given, at most {Positional.Length} accepted");
        var values = new JsonElement?[Positional.Length];
        for (var i = 0; i < task.Args.Count; i++) values[i] = task.Args[i];
        foreach (var (key, value) in task.Kwargs)
        {
            var index = Array.IndexOf(Positional, key);
            if (index < 0) return new CancelBinding.Unusable($"unexpected argument '{Printable.Line(key, 40)}'");
            if (values[index] is not null) return new CancelBinding.Unusable($"argument '{key}' given twice (positionally and by keyword)");
            values[index] = value;
        }
        if (values[0] is not { } rawId) return new CancelBinding.Unusable("the request has no 'jobid' argument");
        if (!JobRequestBinder.TryJobId(rawId, out var id))
            return new CancelBinding.Unusable($"'jobid' must be a non-negative integer, got {JobRequestBinder.Describe(rawId)}");

        string? reason = null;
        if (values[1] is { } rawReason && rawReason.ValueKind != JsonValueKind.Null)
        {
            if (rawReason.ValueKind != JsonValueKind.String) return new CancelBinding.Unusable("'reason' must be a string");
            reason = Printable.Line(rawReason.GetString()!, MaxReasonLength - 3).Trim() is { Length: > 0 } r ? r : null;
        }
        var by = CancelledBy.Portal;
        if (values[2] is { } rawBy && rawBy.ValueKind != JsonValueKind.Null)
        {
            if (rawBy.ValueKind != JsonValueKind.String || rawBy.GetString() is not ("portal" or "operator"))
                return new CancelBinding.Unusable($"'by' must be \"portal\" or \"operator\", got {JobRequestBinder.Describe(rawBy)}");
            by = CancelRequest.ParseBy(rawBy.GetString());
        }
        return new CancelBinding.Usable(new CancelRequest(id, by, reason));
    }
}
