namespace Terminus.Infrastructure.Containment;

/// <summary>
/// Reads and writes cgroup control files and directories; every failure becomes a <see cref="CgroupException"/>
/// that names the file, what was being done and the system's reason.
/// </summary>
internal static class CgroupFiles
{
    public static string Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CgroupException($"cannot read {path}: {e.Message}", e); }
    }

    /// <summary>The file's text, or null when it (or its cgroup) does not exist.</summary>
    public static string? ReadIfExists(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CgroupException($"cannot read {path}: {e.Message}", e); }
    }

    /// <summary>Writes one value in one write(2), as cgroup files want (no truncation, no appending).</summary>
    public static void Write(string path, string value)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(value));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CgroupException($"cannot write '{value}' to {path}: {e.Message}", e); }
    }

    /// <summary>Creates the directory; true when it was created, false when it existed already.</summary>
    public static bool MakeDirectory(string path)
    {
        if (Directory.Exists(path)) return false;
        try { Directory.CreateDirectory(path); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CgroupException($"cannot create the cgroup {path}: {e.Message}", e); }
    }

    /// <summary>Removes the cgroup directory (rmdir, which cgroupfs allows despite its control files); absent is fine.</summary>
    public static void RemoveDirectory(string path)
    {
        try { Directory.Delete(path, recursive: false); }
        catch (DirectoryNotFoundException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CgroupException($"cannot remove the cgroup {path}: {e.Message}", e); }
    }

    /// <summary>The cgroup and every cgroup below it, deepest first; nothing when it does not exist.</summary>
    public static IReadOnlyList<string> SelfAndDescendants(string path)
    {
        if (!Directory.Exists(path)) return [];
        try
        {
            return [.. Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories)
                .OrderByDescending(d => d.Count(c => c == '/')), path];
        }
        catch (DirectoryNotFoundException) { return []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new CgroupException($"cannot list the cgroups under {path}: {e.Message}", e); }
    }
}
