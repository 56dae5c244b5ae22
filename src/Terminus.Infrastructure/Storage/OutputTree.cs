using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// The one walk of a job's <c>out/</c>, for its tarball and for the size watch: each directory opened relative to its
/// parent without following a link, names in ordinal order of their bytes, depth first, a directory before its
/// contents; entries judged by <see cref="OutputRules"/> from statx alone, no file opened.
/// </summary>
public static class OutputTree
{
    private static readonly RawName Out = RawName.FromString("out");

    /// <summary>
    /// Opens <c>out</c> in the job directory if it is a real directory; else null and why not, in words for the portal's
    /// user (<see cref="OutputRules.OutProblem"/>).
    /// </summary>
    public static DirectoryHandle? OpenOut(DirectoryHandle jobDir, out string problem)
    {
        var outDir = jobDir.TryOpenDirectory(Out, out _);
        problem = outDir is null ? OutputRules.OutProblem(jobDir.Stat(Out)?.Kind) : "";
        return outDir;
    }

    /// <summary>What of <c>out/</c> goes into the tarball, in archive order, and what is left out and why.</summary>
    public static OutputPlan List(DirectoryHandle outDir, CancellationToken cancellationToken)
    {
        var entries = new List<OutputEntry>();
        var leftOut = new List<OutputLeftOut>();
        long total = 0;
        Walk(outDir, null, entry =>
        {
            entries.Add(entry);
            total += entry.Size;
        }, leftOut.Add, cancellationToken);
        return new OutputPlan(entries, total, leftOut);
    }

    /// <summary>
    /// The bytes of the regular files a tarball of <paramref name="outDir"/> would hold now, as cheaply as that can be
    /// known (statx only, nothing opened but directories, no link followed); null when <c>out/</c> is not a real
    /// directory or could not be read. For watching a running job's <c>out/</c> against the size cap.
    /// </summary>
    public static long? SizeOf(string outDir)
    {
        var full = Path.GetFullPath(outDir).TrimEnd('/');
        try
        {
            using var parent = DirectoryHandle.Open(Path.GetDirectoryName(full) ?? "/");
            using var dir = parent.TryOpenDirectory(RawName.FromString(Path.GetFileName(full)), out _);
            if (dir is null) return null;
            long total = 0;
            Walk(dir, null, entry => total += entry.Size, null, CancellationToken.None);
            return total;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Walk(DirectoryHandle dir, RawPath? parent, Action<OutputEntry> keep, Action<OutputLeftOut>? leaveOut,
        CancellationToken cancellationToken)
    {
        foreach (var name in dir.ReadNames())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (dir.Stat(name) is not { } status) continue; // removed since the directory was read
            var path = new RawPath(parent, name);
            if (OutputRules.WhyLeftOut(status.Kind, status.Links, path.Depth) is { } why)
                leaveOut?.Invoke(new OutputLeftOut(path, why, status.Kind == OutputKind.Symlink ? dir.ReadLink(name) : null));
            else if (status.Kind == OutputKind.File)
                keep(new OutputEntry(path, OutputKind.File, status.Size));
            else
            {
                using var sub = dir.TryOpenDirectory(name, out var errno);
                if (sub is null)
                {
                    leaveOut?.Invoke(new OutputLeftOut(path, DirectoryHandle.WhyNotOpened(errno)));
                    continue;
                }
                keep(new OutputEntry(path, OutputKind.Directory, 0));
                Walk(sub, path, keep, leaveOut, cancellationToken);
            }
        }
    }
}
