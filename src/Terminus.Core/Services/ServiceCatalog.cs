using System.Text.Json;
using Terminus.Core.Jobs;

namespace Terminus.Core.Services;

/// <summary>
/// Looks services up on disk at each request, so services added while the daemon runs are seen at once.
/// Applies 0.7's <c>service.json</c> rules (docs/operations.md, "Services"), and also accepts <c>"type": "bash"</c> and the
/// <c>timeout_mn</c>/<c>timeout_min</c> spellings and the optional limits <c>memory_mb</c> and <c>max_tasks</c>; invalid
/// JSON is reported instead of crashing.
/// </summary>
public sealed class ServiceCatalog(string serviceDir)
{
    public const string InfoFileName = "service.json";
    private static readonly string[] TimeoutKeys = ["timout_mn", "timeout_mn", "timeout_min"];

    public ServiceLookup Find(string name)
    {
        var notAvailable = new ServiceUnusable(StatusTexts.ServiceNotAvailable(name), "");
        if (!PathRules.IsSafeSegment(name)) return notAvailable with { Detail = "the name is not a single safe directory name" };
        var dir = Path.Combine(serviceDir, name);
        if (!System.IO.Directory.Exists(dir)) return notAvailable with { Detail = $"no directory '{dir}'" };

        var infoPath = Path.Combine(dir, InfoFileName);
        var pyScript = Path.Combine(dir, name + ".py");
        var shScript = Path.Combine(dir, name + ".sh");
        if (!File.Exists(pyScript) && !File.Exists(shScript))
            return notAvailable with { Detail = $"neither '{pyScript}' nor '{shScript}' exists" };
        if (!File.Exists(infoPath))
            return new ServiceUnusable(StatusTexts.ServiceInfoNotFound, $"'{infoPath}' does not exist");

        string text;
        try { text = File.ReadAllText(infoPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { return new ServiceUnusable(StatusTexts.ServiceInfoNotFound, $"cannot read '{infoPath}': {e.Message}"); }

        var parsed = Parse(text, out var error);
        if (parsed is null) return new ServiceUnusable(StatusTexts.ServiceInfoError, $"'{infoPath}': {error}");
        var (type, interpreter, nodes, cores, timeout, memoryMb, maxTasks) = parsed.Value;

        var script = type == ServiceType.Python ? pyScript : shScript;
        if (!File.Exists(script))
            return notAvailable with { Detail = $"a {type.ToString().ToLowerInvariant()} service needs '{script}'" };
        return new ServiceFound(new ServiceDefinition(name, dir, type, interpreter, script, nodes, cores, timeout)
        {
            MemoryMb = memoryMb,
            MaxTasks = maxTasks,
        });
    }

    /// <summary>Pure part of the rules: the content of <c>service.json</c>.</summary>
    internal static (ServiceType Type, string Interpreter, int Nodes, int Cores, int TimeoutMinutes, int? MemoryMb, int? MaxTasks)? Parse(
        string json, out string error)
    {
        error = "";
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { error = $"invalid JSON: {e.Message}"; return null; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Count() != 1
                || !root.TryGetProperty("job", out var job) || job.ValueKind != JsonValueKind.Object)
            { error = "the top level must be an object with the single key 'job'"; return null; }

            ServiceType type;
            switch (job.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null)
            {
                case "python": type = ServiceType.Python; break;
                case "bash": type = ServiceType.Bash; break;
                default: error = "'job.type' must be \"python\" or \"bash\""; return null;
            }

            var interpreter = job.TryGetProperty("interpreter", out var i) && i.ValueKind == JsonValueKind.String
                ? i.GetString()!.Trim() : "";
            if (interpreter.Length == 0 || !Path.IsPathRooted(interpreter) || !File.Exists(interpreter))
            { error = $"'job.interpreter' must be the absolute path of an existing file, got '{interpreter}'"; return null; }

            if (!PositiveInt(job, ["n_nodes"], ServiceDefinition.DefaultNodes, out var nodes, ref error)
                || !PositiveInt(job, ["n_cores"], ServiceDefinition.DefaultCores, out var cores, ref error)
                || !PositiveInt(job, TimeoutKeys, ServiceDefinition.DefaultTimeoutMinutes, out var timeout, ref error)
                || !PositiveInt(job, ["memory_mb"], 0, out var memoryMb, ref error)
                || !PositiveInt(job, ["max_tasks"], 0, out var maxTasks, ref error))
                return null;
            // 0 is the fallback for an absent limit (a given one is positive): no limit of the service's own.
            return (type, interpreter, nodes, cores, timeout, memoryMb > 0 ? memoryMb : null, maxTasks > 0 ? maxTasks : null);
        }
    }

    /// <summary>Like Python's <c>int()</c> on what 0.7 accepted: a JSON integer or a string holding one.</summary>
    private static bool PositiveInt(JsonElement job, string[] keys, int fallback, out int value, ref string error)
    {
        value = fallback;
        var key = keys.FirstOrDefault(k => job.TryGetProperty(k, out _));
        if (key is null) return true;
        var raw = job.GetProperty(key);
        var ok = raw.ValueKind switch
        {
            JsonValueKind.Number => raw.TryGetInt32(out value),
            JsonValueKind.String => int.TryParse(raw.GetString()!.Trim(), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out value),
            _ => false,
        };
        if (ok && value > 0) return true;
        error = $"'job.{key}' must be a positive integer, got {raw.GetRawText()}";
        return false;
    }
}
