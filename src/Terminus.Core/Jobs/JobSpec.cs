using System.Text.Json;

namespace Terminus.Core.Jobs;

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
