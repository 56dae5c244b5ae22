using System.Globalization;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Processes;

namespace Terminus.Actors.Execution;

/// <summary>Creating, setting aside and retiring job directories. Nothing here deletes what a failed job left: it is moved.</summary>
public static class JobDirectories
{
    /// <summary>
    /// Creates <c>&lt;job&gt;/out/</c> with the runner and its request. With <paramref name="setAside"/>, a directory left
    /// by an earlier run of the same job name is moved under <c>__failed/</c> first (0.7 deleted it); returns where
    /// it went, or null. Without, an existing directory (a resumed job whose runner never started) is reused.
    /// </summary>
    public static string? Prepare(JobPaths paths, byte[] request, bool setAside = true)
    {
        string? movedTo = null;
        if (setAside && (Directory.Exists(paths.JobDir) || File.Exists(paths.JobDir)))
            movedTo = MoveAside(paths.JobDir, UniqueFailedPath(paths, DateTime.UtcNow));
        Directory.CreateDirectory(paths.OutDir);
        File.WriteAllBytes(paths.RunnerScript, RunnerScript.Bytes);
        var temp = paths.RequestFile + ".tmp";
        File.WriteAllBytes(temp, request);
        File.Move(temp, paths.RequestFile, overwrite: true);
        return movedTo;
    }

    /// <summary>Applies a fate; returns a line for the log (null when there was nothing to do).</summary>
    public static string? Retire(JobPaths paths, JobDirFate fate)
    {
        if (!Directory.Exists(paths.JobDir)) return null;
        switch (fate)
        {
            case JobDirFate.Delete:
                Delete(paths.JobDir);
                return $"deleted {paths.JobDir}";
            case JobDirFate.MoveToFailed:
                var target = UniqueFailedPath(paths, DateTime.UtcNow);
                MoveAside(paths.JobDir, target);
                return $"moved {paths.JobDir} to {target}";
            default:
                return null;
        }
    }

    /// <summary><c>__failed/&lt;job&gt;</c>, or with a UTC time suffix when an older failure of the same job is already there.</summary>
    private static string UniqueFailedPath(JobPaths paths, DateTime now)
    {
        var target = paths.FailedDir;
        if (!Directory.Exists(target) && !File.Exists(target)) return target;
        var stamped = $"{target}.{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        for (var i = 2; Directory.Exists(stamped) || File.Exists(stamped); i++)
            stamped = $"{target}.{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{i}";
        return stamped;
    }

    /// <summary>
    /// Deletes what <c>__failed/</c> has kept for <paramref name="keep"/> or longer; returns the paths deleted. An
    /// entry that cannot be deleted is left for the next round (and named in the exception list).
    /// </summary>
    public static (IReadOnlyList<string> Deleted, IReadOnlyList<string> Problems) PruneFailed(string failedDir, TimeSpan keep, DateTime nowUtc)
    {
        if (!Directory.Exists(failedDir)) return ([], []);
        var entries = new DirectoryInfo(failedDir).EnumerateFileSystemInfos().Select(e => (e.FullName, e.LastWriteTimeUtc)).ToList();
        var deleted = new List<string>();
        var problems = new List<string>();
        foreach (var path in FailedRetention.Expired(entries, nowUtc, keep))
        {
            try
            {
                if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null) Delete(path);
                else File.Delete(path); // a file, or a link (never followed)
                deleted.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{path}: {e.Message}");
            }
        }
        return (deleted, problems);
    }

    private static void Delete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException) when (Directory.Exists(dir))
        {
            // .NET cannot name a file whose name is not UTF-8 (Python 2 services write Latin-1 names); rm can, and
            // it never follows a link.
            var rm = BoundedProcess.RunAsync("rm", ["-rf", "--", dir], TimeSpan.FromMinutes(10)).GetAwaiter().GetResult();
            if (rm.ExitCode != 0) throw new IOException($"rm -rf {dir} failed ({rm.ExitCode}): {rm.StdErr.Trim()}");
        }
    }

    private static string MoveAside(string dir, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(dir, target);
        // Its time in __failed/ counts from now (TERMINUS_FAILED_RETAIN_DAYS), not from its last change.
        Directory.SetLastWriteTimeUtc(target, DateTime.UtcNow);
        return target;
    }
}
