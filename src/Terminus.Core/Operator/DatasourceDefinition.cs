using System.Text.Json;
using Terminus.Core.Jobs;
using Terminus.Core.Text;

namespace Terminus.Core.Operator;

/// <summary>
/// The JSON file the portal sends the admin (0.7's <c>terminus_datasource_cfg</c> schema):
/// <c>{"category": "C", "project": {"alias": "P"}, "children": [{"alias": "S", "children": [{"directory_path": "/abs/snap"}]}]}</c>.
/// </summary>
public sealed record DatasourceDefinition(string Category, string Project, IReadOnlyList<DatasourceSimulation> Simulations)
{
    /// <summary>Parses and checks the file; every problem is listed (0.7 stopped at the first, with a traceback).</summary>
    public static (DatasourceDefinition? Definition, IReadOnlyList<string> Errors) Parse(string json)
    {
        var errors = new List<string>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { return (null, [$"the file is not valid JSON: {e.Message}"]); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, ["the file must hold a JSON object"]);
            var category = Alias(Str(root, "category"), "Undefined project category.", "project category", errors);
            var project = root.TryGetProperty("project", out var p) && p.ValueKind == JsonValueKind.Object
                ? Alias(Str(p, "alias"), "Project alias is not defined.", "project", errors)
                : Error("Project definition ('project' with its 'alias') is missing.", errors);
            var simulations = new List<DatasourceSimulation>();
            if (!root.TryGetProperty("children", out var sims) || sims.ValueKind != JsonValueKind.Array)
                errors.Add("Missing project's 'children' simulation definition.");
            else
                foreach (var sim in sims.EnumerateArray())
                {
                    var alias = sim.ValueKind == JsonValueKind.Object ? Alias(Str(sim, "alias"), "Undefined simulation 'alias'", "simulation", errors) : Error("Undefined simulation 'alias'", errors);
                    if (sim.ValueKind != JsonValueKind.Object || !sim.TryGetProperty("children", out var snaps) || snaps.ValueKind != JsonValueKind.Array)
                    {
                        errors.Add($"Missing simulation's 'children' snapshot definition{(alias is null ? "" : $" (simulation '{alias}')")}.");
                        continue;
                    }
                    var paths = new List<string>();
                    foreach (var snap in snaps.EnumerateArray())
                    {
                        var path = snap.ValueKind == JsonValueKind.Object ? Str(snap, "directory_path") : null;
                        if (path is null || !Path.IsPathRooted(path)) { errors.Add($"A snapshot of simulation '{alias}' has no absolute 'directory_path'."); continue; }
                        var name = Path.GetFileName(path.TrimEnd('/'));
                        if (!PathRules.IsSafeSegment(name)) { errors.Add($"Snapshot directory '{Printable.Line(path)}': its name '{Printable.Line(name)}' cannot be a link name."); continue; }
                        paths.Add(path);
                    }
                    if (alias is not null) simulations.Add(new DatasourceSimulation(alias, paths));
                }
            return errors.Count > 0 || category is null || project is null ? (null, errors) : (new DatasourceDefinition(category, project, simulations), errors);
        }
    }

    private static string? Alias(string? value, string missing, string role, List<string> errors)
    {
        if (string.IsNullOrEmpty(value)) return Error(missing, errors);
        if (PathRules.IsSafeSegment(value)) return value;
        return Error($"Invalid {role} alias '{Printable.Line(value)}': it must be a single directory name (letters, digits, '_', '-', '.').", errors);
    }

    private static string? Error(string message, List<string> errors)
    {
        errors.Add(message);
        return null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
