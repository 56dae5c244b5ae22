using System.Text.Json;
using Terminus.Core.Celery;

namespace Terminus.Core.Jobs;

/// <summary>Binds Celery args/kwargs to the 0.7 task signature the way Python would, without ever throwing.</summary>
public static class JobRequestBinder
{
    public const string TaskName = "execute_terminus_job";

    private static readonly string[] Positional = ["jobid", "service_name", "cat_alias", "proj_alias", "exp_alias", "data_ref"];
    private const string TestKey = "test";

    public static JobBinding Bind(CeleryTask task)
    {
        var values = new JsonElement?[Positional.Length];
        var errors = new List<string>();
        for (var i = 0; i < task.Args.Count && i < Positional.Length; i++) values[i] = task.Args[i];
        if (task.Args.Count > Positional.Length)
            errors.Add($"{task.Args.Count} positional arguments given, at most {Positional.Length} accepted");

        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        JsonElement? test = null;
        foreach (var (key, value) in task.Kwargs)
        {
            var index = Array.IndexOf(Positional, key);
            if (index >= 0)
            {
                if (values[index] is not null) errors.Add($"argument '{key}' given twice (positionally and by keyword)");
                values[index] = value;
            }
            else if (key == TestKey) test = value;
            else parameters[key] = value;
        }

        if (values[0] is not { } rawId) return new UnusableJob("the request has no 'jobid' argument");
        if (!TryJobId(rawId, out var jobId))
            return new UnusableJob($"'jobid' must be a non-negative integer, got {Describe(rawId)}");

        for (var i = 1; i < Positional.Length; i++)
            if (values[i] is null) errors.Add($"missing argument '{Positional[i]}'");

        return new BoundJob(new JobRequest(jobId, task.Id, task.RootId ?? task.Id,
            values[1], values[2], values[3], values[4], values[5], test, parameters, errors));
    }

    internal static bool TryJobId(JsonElement value, out JobId id)
    {
        id = default;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < 0) return false;
        // "123.0" parses as a number but is not an int to Python's "{:d}".
        if (value.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0) return false;
        id = new JobId(n);
        return true;
    }

    internal static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 80 ? text[..77] + "..." : text;
    }
}
