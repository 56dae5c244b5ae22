namespace Terminus.Infrastructure.Storage;

/// <summary>How much a job's <c>out/</c> holds while it runs (regular files only, links never followed).</summary>
public static class OutputSize
{
    /// <summary>The total size of the regular files below <paramref name="outDir"/>; null when it is not a directory.</summary>
    public static long? Of(string outDir)
    {
        var root = new DirectoryInfo(outDir);
        if (!root.Exists || root.LinkTarget is not null) return null;
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in root.EnumerateFiles("*", options))
        {
            try { total += file.Length; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return total;
    }
}
