using System.Text;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// Writes the entries of a listed <c>out/</c> into a tar stream, each opened again relative to its directory with
/// <c>O_NOFOLLOW</c> and judged by what was opened (fstat), not by the listing: an entry swapped for a link, a FIFO or a
/// hard link since it was listed is left out, and a file's size in its header is the one of the file actually read.
/// </summary>
public static class OutputArchive
{
    /// <summary>
    /// Writes <c>&lt;rootName&gt;/</c> and the plan's entries below it, then the end of the archive; returns what had to be
    /// left out while writing. <paramref name="beforeOpen"/> runs with each entry before it is opened (for tests).
    /// </summary>
    public static IReadOnlyList<OutputLeftOut> Write(DirectoryHandle outDir, OutputPlan plan, string rootName, Stream output,
        CancellationToken cancellationToken, Action<OutputEntry>? beforeOpen = null)
    {
        var tar = new TarStreamWriter(output);
        var root = Encoding.UTF8.GetBytes(rootName + "/");
        var outStatus = outDir.Stat();
        tar.WriteDirectory(root, outStatus.Permissions, outStatus.ModifiedSeconds);
        var leftOut = new List<OutputLeftOut>();
        var open = new Stack<(RawPath Path, DirectoryHandle Handle)>(); // the directories above the current entry
        RawPath? gone = null; // a directory that could not be opened again: its contents are skipped with it
        try
        {
            foreach (var entry in plan.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (gone is not null && entry.Path.IsWithin(gone)) continue;
                while (open.Count > 0 && !ReferenceEquals(open.Peek().Path, entry.Path.Parent)) open.Pop().Handle.Dispose();
                var parent = open.Count > 0 ? open.Peek().Handle : outDir;
                beforeOpen?.Invoke(entry);
                if (entry.Kind == OutputKind.Directory)
                {
                    var dir = parent.TryOpenDirectory(entry.Path.Name, out var errno);
                    if (dir is null)
                    {
                        gone = entry.Path;
                        leftOut.Add(new OutputLeftOut(entry.Path, DirectoryHandle.WhyNotOpened(errno)));
                        continue;
                    }
                    open.Push((entry.Path, dir));
                    var status = dir.Stat();
                    tar.WriteDirectory(entry.Path.ToBytes(root), status.Permissions, status.ModifiedSeconds);
                }
                else if (WriteFile(tar, parent, entry, root) is { } why)
                    leftOut.Add(new OutputLeftOut(entry.Path, why));
            }
            tar.Finish();
            return leftOut;
        }
        finally
        {
            while (open.Count > 0) open.Pop().Handle.Dispose();
        }
    }

    /// <summary>Null when the file was written, else why it was left out.</summary>
    private static string? WriteFile(TarStreamWriter tar, DirectoryHandle parent, OutputEntry entry, byte[] root)
    {
        using var file = parent.TryOpenFile(entry.Path.Name, out var errno);
        if (file is null) return DirectoryHandle.WhyNotOpened(errno);
        var status = DirectoryHandle.StatOf(file);
        if (OutputRules.WhyNotASingleFile(status.Kind, status.Links) is { } why) return $"changed while packaging: now {why}";
        tar.WriteFile(entry.Path.ToBytes(root), status.Permissions, status.ModifiedSeconds, status.Size,
            (offset, buffer) => RandomAccess.Read(file, buffer, offset));
        return null;
    }
}
