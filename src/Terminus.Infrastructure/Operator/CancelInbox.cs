using Terminus.Core.Jobs;

namespace Terminus.Infrastructure.Operator;

/// <summary>
/// The directory where <c>terminus cancel</c> leaves a cancel (<see cref="CancelNote"/>) that could not go through the
/// broker, and where the daemon takes it from: the daemon reads it at start, before the job queue can hold the job's
/// slot hostage, and every few seconds while it runs (also when the broker is down). A note is written under a temporary
/// name and renamed, so the daemon never reads half of one.
/// </summary>
public sealed class CancelInbox(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>
    /// Makes the directory (mode 0700) if it is missing. The daemon does so at start, so that it owns it even when the
    /// first note comes from another account (root) that the daemon's user could not read a directory of.
    /// </summary>
    public void Create()
    {
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(Directory);
        else System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <returns>The note's path.</returns>
    public string Leave(JobId job, string? reason)
    {
        Create();
        var path = Path.Combine(Directory, CancelNote.FileName(job));
        var temporary = Path.Combine(Directory, $".{CancelNote.FileName(job)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, CancelNote.Write(job, reason));
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The notes waiting, oldest first (none when the directory does not exist).</summary>
    public IReadOnlyList<string> Waiting()
    {
        try
        {
            return new DirectoryInfo(Directory).EnumerateFiles("*" + CancelNote.Extension)
                .OrderBy(f => f.LastWriteTimeUtc).Select(f => f.FullName).ToList();
        }
        catch (DirectoryNotFoundException) { return []; }
    }

    /// <summary>A note left unusable is set aside under <c>.bad</c>, so that it is reported once and kept for a look.</summary>
    public static void SetAside(string note) => File.Move(note, note + ".bad", overwrite: true);
}
