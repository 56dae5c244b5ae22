using System.Text.Json;

namespace Terminus.Core.Jobs;

/// <summary>
/// An <c>execute_terminus_job</c> request bound to its Python signature
/// <c>(jobid, service_name, cat_alias, proj_alias, exp_alias, data_ref, **serv_kwargs)</c>, not yet validated.
/// Values stay raw JSON so that a wrong type becomes a clear <c>failed</c> status instead of a crash.
/// </summary>
public sealed record JobRequest(
    JobId JobId,
    string TaskId,
    string? RootTaskId,
    JsonElement? ServiceName,
    JsonElement? CatAlias,
    JsonElement? ProjAlias,
    JsonElement? ExpAlias,
    JsonElement? DataRef,
    JsonElement? Test,
    IReadOnlyDictionary<string, JsonElement> Parameters,
    IReadOnlyList<string> BindingErrors);
