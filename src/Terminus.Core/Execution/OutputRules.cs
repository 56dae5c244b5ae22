using System.Globalization;

namespace Terminus.Core.Execution;

/// <summary>
/// What of a job's <c>out/</c> may reach the user, decided from what an entry is and never from where a link points:
/// only real directories and regular files with a single name. A link (inside or outside <c>out/</c>), a hard link
/// (its other name may be a server file), a socket, a FIFO or a device could make the daemon read, block on or ship
/// something that is not the service's result.
/// </summary>
public static class OutputRules
{
    /// <summary>Deeper directories are left out: each level holds a descriptor open while it is walked.</summary>
    public const int MaxDepth = 128;

    private const uint TypeMask = 0xF000;

    /// <summary>The kind of an entry from the file type bits of its <c>st_mode</c> (Linux values).</summary>
    public static OutputKind KindOf(uint mode) => (mode & TypeMask) switch
    {
        0x4000 => OutputKind.Directory,
        0x8000 => OutputKind.File,
        0xA000 => OutputKind.Symlink,
        0xC000 => OutputKind.Socket,
        0x1000 => OutputKind.Fifo,
        0x2000 => OutputKind.CharDevice,
        0x6000 => OutputKind.BlockDevice,
        _ => OutputKind.Unknown,
    };

    /// <summary>Null when the entry goes into the tarball, else why it is left out, in words for the lab's user.</summary>
    /// <param name="depth">1 for an entry directly in <c>out/</c>.</param>
    public static string? WhyLeftOut(OutputKind kind, uint links, int depth) => kind switch
    {
        OutputKind.Directory when depth > MaxDepth => $"a directory more than {MaxDepth} levels deep",
        OutputKind.Directory => null,
        OutputKind.File when links > 1 => string.Create(CultureInfo.InvariantCulture,
            $"a file with {links} hard links: its other names may be outside out/"),
        OutputKind.File => null,
        _ => Describe(kind) + ": only directories and regular files are packaged",
    };

    /// <summary>
    /// Null when an opened entry is a regular file with one name, the only kind whose bytes the daemon reads or writes
    /// in <c>out/</c>, else what it is.
    /// </summary>
    public static string? WhyNotASingleFile(OutputKind kind, uint links) =>
        kind == OutputKind.Directory ? Describe(kind) : WhyLeftOut(kind, links, depth: 1);

    /// <summary>Why <c>out/</c> itself cannot be packaged (null kind: there is none), for the portal's status.</summary>
    public static string OutProblem(OutputKind? kind) => kind switch
    {
        null => "there is no out/ directory",
        OutputKind.Symlink => "out/ is a link, not a directory",
        OutputKind.Directory => "out/ could not be opened",
        _ => $"out/ is {Describe(kind.Value)}, not a directory",
    };

    /// <summary>The line appended to <c>out/job.log</c> for an entry left out, in the runner's log format.</summary>
    public static string JobLogLine(OutputLeftOut leftOut, DateTime localTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{localTime:yyyy-MM-dd HH:mm:ss,fff} - WARNING - left out of the tarball: {leftOut}\n");

    private static string Describe(OutputKind kind) => kind switch
    {
        OutputKind.Directory => "a directory",
        OutputKind.File => "a file",
        OutputKind.Symlink => "a symbolic link",
        OutputKind.Socket => "a socket",
        OutputKind.Fifo => "a named pipe (FIFO)",
        OutputKind.CharDevice => "a character device",
        OutputKind.BlockDevice => "a block device",
        _ => "of an unknown kind",
    };
}
