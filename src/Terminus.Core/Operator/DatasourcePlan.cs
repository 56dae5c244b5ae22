namespace Terminus.Core.Operator;

/// <summary>What applying a datasource file would do, from the file system as it is (no change made).</summary>
public sealed record DatasourcePlan(IReadOnlyList<(string Path, bool Exists)> Directories, IReadOnlyList<PlannedLink> Links)
{
    public static DatasourcePlan For(string dataDir, DatasourceDefinition d)
    {
        var dirs = new List<(string, bool)>();
        var categoryDir = Path.Combine(dataDir, d.Category);
        var projectDir = Path.Combine(categoryDir, d.Project);
        dirs.Add((categoryDir, Directory.Exists(categoryDir)));
        dirs.Add((projectDir, Directory.Exists(projectDir)));
        var links = new List<PlannedLink>();
        foreach (var sim in d.Simulations)
        {
            var simDir = Path.Combine(projectDir, sim.Alias);
            dirs.Add((simDir, Directory.Exists(simDir)));
            foreach (var target in sim.SnapshotPaths)
            {
                var link = Path.Combine(simDir, Path.GetFileName(target.TrimEnd('/')));
                var info = new FileInfo(link);
                string? current = info.LinkTarget;
                var state = !Directory.Exists(target) ? LinkState.TargetMissing
                    : current is not null ? (SamePath(current, target) ? LinkState.Unchanged : LinkState.Changed)
                    : File.Exists(link) || Directory.Exists(link) ? LinkState.BlockedByRealEntry
                    : LinkState.Create;
                links.Add(new PlannedLink(sim.Alias, link, target, state, current));
            }
        }
        return new DatasourcePlan(dirs, links);
    }

    private static bool SamePath(string a, string b) => Path.TrimEndingDirectorySeparator(a) == Path.TrimEndingDirectorySeparator(b);
}
