using System.Text.Json;
using Terminus.Core.Services;
using Terminus.Core.Text;

namespace Terminus.Core.Jobs;

/// <summary>
/// Checks a bound request in 0.7's order (test flag, service, data directory, service.json) plus the checks
/// 0.7 lacked (argument types, aliases and data reference that cannot leave the data directory).
/// </summary>
public sealed class JobValidator(string dataDir, ServiceCatalog services)
{
    public JobValidation Validate(JobRequest request)
    {
        if (request.BindingErrors.Count > 0)
            return Invalid(StatusTexts.InvalidRequest(string.Join("; ", request.BindingErrors)));

        var testMode = false;
        if (request.Test is { } test)
        {
            if (test.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                return new InvalidJob(StatusTexts.TestModeTypeError, $"'test' is {JobRequestBinder.Describe(test)}, not a bool");
            testMode = test.GetBoolean();
        }

        if (AsString(request.ServiceName) is not { } serviceName)
            return Invalid(StatusTexts.ServiceNotAvailable(Shown(request.ServiceName)));
        // Service lookup first, as 0.7 did, so an unknown service reads the same as before.
        if (!PathRules.IsSafeSegment(serviceName)) return Invalid(StatusTexts.ServiceNotAvailable(Printable.Line(serviceName)));

        string?[] aliases = [AsString(request.CatAlias), AsString(request.ProjAlias), AsString(request.ExpAlias)];
        JsonElement?[] rawAliases = [request.CatAlias, request.ProjAlias, request.ExpAlias];
        string[] roles = ["project category", "project", "simulation"];
        var lookup = services.Find(serviceName);
        if (lookup is ServiceUnusable { StatusText: var text } u && text == StatusTexts.ServiceNotAvailable(serviceName))
            return new InvalidJob(text, u.Detail);

        for (var i = 0; i < 3; i++)
            if (aliases[i] is not { } alias || !PathRules.IsSafeSegment(alias))
                return Invalid(StatusTexts.InvalidAlias(roles[i], aliases[i] is { } a ? Printable.Line(a) : Shown(rawAliases[i])));

        var relative = $"{aliases[0]}/{aliases[1]}/{aliases[2]}";
        var dataPath = Path.Combine(dataDir, aliases[0]!, aliases[1]!, aliases[2]!);
        if (!Directory.Exists(dataPath))
            return new InvalidJob(StatusTexts.DataDirectoryNotFound(relative), $"'{dataPath}' is not a directory");

        if (AsString(request.DataRef) is not { } dataRef)
            return Invalid(StatusTexts.InvalidDataReference(Shown(request.DataRef), "it must be a string"));
        if (PathRules.DataRefProblem(dataRef) is { } problem)
            return Invalid(StatusTexts.InvalidDataReference($"'{Printable.Line(dataRef)}'", problem));

        if (lookup is ServiceUnusable other) return new InvalidJob(other.StatusText, other.Detail);
        var service = ((ServiceFound)lookup).Service;

        return new ValidJob(new JobSpec(request.JobId, request.TaskId, request.RootTaskId, serviceName,
            aliases[0]!, aliases[1]!, aliases[2]!, dataRef, testMode, request.Parameters, service, dataPath));
    }

    private static InvalidJob Invalid(string text) => new(text, "");

    private static string? AsString(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static string Shown(JsonElement? value) => value is { } v ? JobRequestBinder.Describe(v) : "(missing)";

}
