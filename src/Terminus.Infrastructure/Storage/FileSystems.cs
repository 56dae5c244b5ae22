using System.Runtime.InteropServices;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>Free space and inodes of a file system, from <c>statvfs(3)</c> (64-bit Linux layout).</summary>
public static class FileSystems
{
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfs
    {
        public ulong f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, f_fsid, f_flag, f_namemax;
        public ulong Spare0, Spare1, Spare2; // int __f_spare[6]
    }

    [DllImport("libc", EntryPoint = "statvfs", SetLastError = true)]
    private static extern int NativeStatVfs(string path, out StatVfs buf);

    public static DiskSpace? SpaceOf(string path)
    {
        if (NativeStatVfs(path, out var s) != 0) return null;
        var unit = (long)(s.f_frsize > 0 ? s.f_frsize : s.f_bsize);
        return new DiskSpace((long)s.f_bavail * unit, (long)s.f_blocks * unit, (long)s.f_favail, (long)s.f_files);
    }

    /// <summary>Null when the directory can be listed, else why not.</summary>
    public static string? ListingError(string directory)
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
