namespace Terminus.Core.Execution;

/// <summary>
/// Lists a job's <c>out/</c> for its tarball (archive root <c>&lt;svc&gt;/</c>, as 0.7's <c>tar.add(out, arcname=svc)</c>),
/// in a deterministic order (ordinal by name, depth first). Symlinks are never followed: one that stays inside
/// <c>out/</c> is archived as a link, one that points outside is left out, so a service cannot ship the
/// server's files to a user through a link.
/// </summary>
public static class OutputCollector
{
    public static OutputPlan Collect(string outDir, string rootName)
    {
        var root = Path.GetFullPath(outDir).TrimEnd('/');
        var entries = new List<OutputEntry> { new(OutputKind.Directory, root, rootName + "/", 0, null) };
        var skipped = new List<string>();
        long total = 0;
        Walk(new DirectoryInfo(root), rootName);
        return new OutputPlan(entries, total, skipped);

        void Walk(DirectoryInfo dir, string archiveDir)
        {
            foreach (var info in dir.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                var name = $"{archiveDir}/{info.Name}";
                if (info.LinkTarget is { } target)
                {
                    if (StaysInside(root, Path.GetDirectoryName(info.FullName)!, target))
                        entries.Add(new OutputEntry(OutputKind.Symlink, info.FullName, name, 0, target));
                    else
                        skipped.Add($"{name} -> {target} (a link that leaves out/)");
                }
                else if (info is DirectoryInfo sub)
                {
                    entries.Add(new OutputEntry(OutputKind.Directory, sub.FullName, name + "/", 0, null));
                    Walk(sub, name);
                }
                else if (info is FileInfo file)
                {
                    entries.Add(new OutputEntry(OutputKind.File, file.FullName, name, file.Length, null));
                    total += file.Length;
                }
            }
        }
    }

    /// <summary>True when a link's target, resolved from the link's directory, is <c>out/</c> or below it.</summary>
    public static bool StaysInside(string root, string linkDir, string target)
    {
        if (target.Length == 0 || target.Contains('\0')) return false;
        var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(linkDir, target));
        return resolved == root || resolved.StartsWith(root + "/", StringComparison.Ordinal);
    }
}
