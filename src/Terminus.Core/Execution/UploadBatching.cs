namespace Terminus.Core.Execution;

/// <summary>
/// Which tarballs one rsync carries. An rsync costs about 0.1 s and several processes whatever it sends (its own start,
/// ssh, the storage's rsync server, and its exit), so small tarballs that wait at the same time go together: the storage
/// sees one session for all of them. A large tarball goes in an rsync of its own, so that a long transfer never holds
/// small ones back. Nothing waits on a timer to fill a batch: files wait only while an rsync of small files is running.
/// </summary>
public static class UploadBatching
{
    /// <summary>Tarballs up to this size may share an rsync.</summary>
    public const long SmallFileBytes = 16L << 20;

    /// <summary>At most this many tarballs in one rsync (its command line and its log stay readable).</summary>
    public const int MaxFiles = 64;

    /// <summary>At most this many bytes in one rsync of small tarballs.</summary>
    public const long MaxBytes = 64L << 20;

    public static bool MayShare(long bytes) => bytes <= SmallFileBytes;

    /// <summary>How many of <paramref name="waitingSizes"/> (in arrival order) the next rsync takes: at least one, then as many as fit.</summary>
    public static int NextBatch(IReadOnlyList<long> waitingSizes)
    {
        if (waitingSizes.Count == 0) return 0;
        var bytes = waitingSizes[0];
        var n = 1;
        while (n < waitingSizes.Count && n < MaxFiles && bytes + waitingSizes[n] <= MaxBytes) bytes += waitingSizes[n++];
        return n;
    }
}
