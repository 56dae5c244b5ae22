namespace Terminus.Core.Execution;

/// <summary>
/// Which waiting tarballs the next rsync carries. An rsync costs about 0.1 s and several processes whatever it sends
/// (its own start, ssh, the storage's rsync server, and its exit), so small tarballs that wait at the same time go
/// together: the storage sees one session for all of them. A large tarball, or one that must go alone, gets an rsync of
/// its own, so a long transfer never holds small ones back. Nothing waits on a timer to fill a batch: files wait only
/// while every connection to the storage is busy.
/// </summary>
public static class UploadBatching
{
    /// <summary>Tarballs up to this size may share an rsync.</summary>
    public const long SmallFileBytes = 16L << 20;

    /// <summary>At most this many tarballs in one rsync (its command line and its log stay readable).</summary>
    public const int MaxFiles = 64;

    /// <summary>At most this many bytes in one rsync of small tarballs.</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>A tarball waiting for an rsync: its size, and whether it must go alone (it was refused in a shared one).</summary>
    public readonly record struct Waiting(long Bytes, bool Alone = false)
    {
        public bool MayShare => !Alone && Bytes <= SmallFileBytes;
    }

    /// <summary>
    /// How many of <paramref name="waiting"/> (in arrival order) the next rsync takes: the first, alone if it may not
    /// share; else with the small ones after it, as many as fit (one that may not share waits for a run of its own).
    /// </summary>
    public static int NextBatch(IReadOnlyList<Waiting> waiting)
    {
        if (waiting.Count == 0) return 0;
        if (!waiting[0].MayShare) return 1;
        var bytes = waiting[0].Bytes;
        var n = 1;
        while (n < waiting.Count && n < MaxFiles && waiting[n].MayShare && bytes + waiting[n].Bytes <= MaxBytes) bytes += waiting[n++].Bytes;
        return n;
    }
}
