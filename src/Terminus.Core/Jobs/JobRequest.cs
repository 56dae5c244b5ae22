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

/// <summary>A request that passed validation: everything a runner needs, with checked types and paths.</summary>
public sealed record JobSpec(
    JobId JobId,
    string TaskId,
    string? RootTaskId,
    string ServiceName,
    string CatAlias,
    string ProjAlias,
    string ExpAlias,
    string DataRef,
    bool TestMode,
    IReadOnlyDictionary<string, JsonElement> Parameters,
    Services.ServiceDefinition Service,
    string DataPath)
{
    /// <summary><c>&lt;jobid&gt;_&lt;service&gt;</c>: the job directory's and the tarball's name (0.7).</summary>
    public string JobName => $"{JobId}_{ServiceName}";

    /// <summary>The portal-side data path, <c>cat/proj/exp</c>, safe to show to users.</summary>
    public string RelativeDataPath => $"{CatAlias}/{ProjAlias}/{ExpAlias}";
}
