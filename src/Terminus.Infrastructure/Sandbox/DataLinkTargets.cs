using Terminus.Core.Sandbox;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>
/// Where the symbolic links in the data directory lead: <c>terminus datasource</c> links each snapshot at
/// <c>DATA_DIR/category/project/simulation/snapshot</c>, four levels down, and a hand-made link may sit higher. Links
/// are never followed (a snapshot holds a simulation's output: not a tree to walk on each launch), so links inside a
/// target are not seen. A dangling link, or one to '/', is left out: nothing to protect, or no sandbox left.
/// </summary>
public static class DataLinkTargets
{
    /// <summary>How deep the datasource's links sit below the data directory.</summary>
    public const int DatasourceDepth = 4;

    /// <summary>The canonical targets, each once, sorted.</summary>
    public static IReadOnlyList<string> Find(string dataDir, int maxDepth = DatasourceDepth)
    {
        var targets = new SortedSet<string>(StringComparer.Ordinal);
        Walk(new DirectoryInfo(dataDir), 1, maxDepth, targets);
        return [.. targets];
    }

    private static void Walk(DirectoryInfo dir, int depth, int maxDepth, SortedSet<string> targets)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        IEnumerable<FileSystemInfo> entries;
        try { entries = dir.EnumerateFileSystemInfos("*", options).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var entry in entries)
        {
            if (entry.LinkTarget is not null)
            {
                if (RealPath.Of(entry.FullName) is { } target && SandboxPathCheck.Problem(target) is null) targets.Add(target);
            }
            else if (entry is DirectoryInfo sub && depth < maxDepth) Walk(sub, depth + 1, maxDepth, targets);
        }
    }
}
