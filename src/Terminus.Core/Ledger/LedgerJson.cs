using System.Text.Json;
using System.Text.Json.Serialization;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Services;

namespace Terminus.Core.Ledger;

/// <summary>
/// The ledger's on-disk form: UTF-8 JSON with a versioned manifest per record type. The Celery task and the job
/// spec are written field by field, so that a change of a C# type never makes an old ledger unreadable unnoticed.
/// </summary>
public static class LedgerJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static readonly Dictionary<string, Type> ByManifest = new(StringComparer.Ordinal)
    {
        ["job-accepted.v1"] = typeof(JobAccepted),
        ["job-moved.v1"] = typeof(JobMoved),
        ["status-delivered.v1"] = typeof(StatusDelivered),
        ["job-resumed.v1"] = typeof(JobResumed),
        ["job-dir-retired.v1"] = typeof(JobDirRetired),
        ["runner-launched.v1"] = typeof(RunnerLaunched),
        ["daemon-started.v1"] = typeof(DaemonStarted),
        ["daemon-stopped.v1"] = typeof(DaemonStopped),
        ["job-admitted.v1"] = typeof(JobAdmitted),
        ["job-abandoned.v1"] = typeof(JobAbandoned),
        ["job-retired.v1"] = typeof(JobRetired),
        ["ledger-snapshot.v1"] = typeof(LedgerSnapshot),
        ["job-cancel-requested.v1"] = typeof(JobCancelRequested),
        ["slurm-job-submitted.v1"] = typeof(SlurmJobSubmitted),
    };

    private static readonly Dictionary<Type, string> ByType = ByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    public static string ManifestOf(ILedgerRecord record) =>
        ByType.TryGetValue(record.GetType(), out var manifest) ? manifest
            : throw new ArgumentException($"{record.GetType().Name} has no ledger manifest", nameof(record));

    public static byte[] ToBytes(ILedgerRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, record.GetType(), Options);

    public static ILedgerRecord FromBytes(ReadOnlySpan<byte> bytes, string manifest) =>
        ByManifest.TryGetValue(manifest, out var type)
            ? (ILedgerRecord)(JsonSerializer.Deserialize(bytes, type, Options) ?? throw new JsonException($"{manifest}: null record"))
            : throw new JsonException($"unknown ledger record '{manifest}' (written by a newer Terminus?)");

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    // ---- the Celery task call, as received ----------------------------------------------------------------------

    public static string TaskToJson(CeleryTask task) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("name", task.Name);
        w.WriteString("id", task.Id);
        w.WriteNumber("protocol", task.ProtocolVersion);
        w.WriteString("root_id", task.RootId);
        w.WriteString("parent_id", task.ParentId);
        w.WriteStartArray("args");
        foreach (var a in task.Args) a.WriteTo(w);
        w.WriteEndArray();
        w.WriteStartObject("kwargs");
        foreach (var (k, v) in task.Kwargs) { w.WritePropertyName(k); v.WriteTo(w); }
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static CeleryTask TaskFromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new CeleryTask(r.GetProperty("name").GetString()!, r.GetProperty("id").GetString()!,
            r.GetProperty("args").EnumerateArray().Select(a => a.Clone()).ToList(),
            r.GetProperty("kwargs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
            r.GetProperty("protocol").GetInt32(), Str(r, "root_id"), Str(r, "parent_id"));
    }

    // ---- the validated job ----------------------------------------------------------------------------------------

    public static string SpecToJson(JobSpec spec) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("job_id", spec.JobId.Value);
        w.WriteString("task_id", spec.TaskId);
        w.WriteString("root_task_id", spec.RootTaskId);
        w.WriteString("service_name", spec.ServiceName);
        w.WriteString("cat_alias", spec.CatAlias);
        w.WriteString("proj_alias", spec.ProjAlias);
        w.WriteString("exp_alias", spec.ExpAlias);
        w.WriteString("data_ref", spec.DataRef);
        w.WriteBoolean("test", spec.TestMode);
        w.WriteString("data_path", spec.DataPath);
        w.WriteStartObject("params");
        foreach (var (k, v) in spec.Parameters) { w.WritePropertyName(k); v.WriteTo(w); }
        w.WriteEndObject();
        var s = spec.Service;
        w.WriteStartObject("service");
        w.WriteString("name", s.Name);
        w.WriteString("directory", s.Directory);
        w.WriteString("type", s.Type == ServiceType.Bash ? "bash" : "python");
        w.WriteString("interpreter", s.Interpreter);
        w.WriteString("script", s.ScriptPath);
        w.WriteNumber("nodes", s.Nodes);
        w.WriteNumber("cores", s.Cores);
        w.WriteNumber("timeout_minutes", s.TimeoutMinutes);
        // The limits are frozen with the job like the rest; written only when set, so older records read the same.
        if (s.MemoryMb is { } memoryMb) w.WriteNumber("memory_mb", memoryMb);
        if (s.MaxTasks is { } maxTasks) w.WriteNumber("max_tasks", maxTasks);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static JobSpec SpecFromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var s = r.GetProperty("service");
        var service = new ServiceDefinition(s.GetProperty("name").GetString()!, s.GetProperty("directory").GetString()!,
            s.GetProperty("type").GetString() == "bash" ? ServiceType.Bash : ServiceType.Python,
            s.GetProperty("interpreter").GetString()!, s.GetProperty("script").GetString()!,
            s.GetProperty("nodes").GetInt32(), s.GetProperty("cores").GetInt32(), s.GetProperty("timeout_minutes").GetInt32())
        {
            MemoryMb = s.TryGetProperty("memory_mb", out var memoryMb) ? memoryMb.GetInt32() : null,
            MaxTasks = s.TryGetProperty("max_tasks", out var maxTasks) ? maxTasks.GetInt32() : null,
        };
        return new JobSpec(new JobId(r.GetProperty("job_id").GetInt64()), r.GetProperty("task_id").GetString()!, Str(r, "root_task_id"),
            r.GetProperty("service_name").GetString()!, r.GetProperty("cat_alias").GetString()!, r.GetProperty("proj_alias").GetString()!,
            r.GetProperty("exp_alias").GetString()!, r.GetProperty("data_ref").GetString()!, r.GetProperty("test").GetBoolean(),
            r.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
            service, r.GetProperty("data_path").GetString()!);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
