using System.Runtime.InteropServices;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// The libc calls under the no-follow directory layer, for glibc on 64-bit Linux (x86_64 and aarch64), where
/// <c>O_DIRECTORY</c> and <c>O_NOFOLLOW</c> differ. .NET's file APIs take and give decoded string paths and follow
/// links; these take a directory descriptor and a name's raw bytes.
/// </summary>
internal static unsafe partial class LibC
{
    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 when OperatingSystem.IsLinux() => false,
        Architecture.Arm64 when OperatingSystem.IsLinux() => true,
        var other => throw new PlatformNotSupportedException($"the no-follow directory layer needs Linux on x86_64 or aarch64, not {other}"),
    };

    public const int ORdOnly = 0, OWrOnly = 1, ORdWr = 2, OCreat = 0x40, OAppend = 0x400, ONonBlock = 0x800, OCloExec = 0x80000;
    public static readonly int ODirectory = Arm64 ? 0x4000 : 0x10000;
    public static readonly int ONoFollow = Arm64 ? 0x8000 : 0x20000;

    private const int AtSymlinkNoFollow = 0x100, AtNoAutomount = 0x800, AtEmptyPath = 0x1000;
    private const uint StatxWanted = 0x1 | 0x2 | 0x4 | 0x40 | 0x200; // STATX_TYPE | MODE | NLINK | MTIME | SIZE
    private const int DirentNameOffset = 19; // struct dirent64: d_ino 8, d_off 8, d_reclen 2, d_type 1, then d_name

    public const int ENOENT = 2, EINTR = 4, ENOTDIR = 20, ELOOP = 40;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int NativeOpen(byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int NativeOpenAt(int dirFd, byte* name, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    private static partial byte* NativeReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint dir);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int NativeStatx(int dirFd, byte* name, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    private static partial nint NativeReadLinkAt(int dirFd, byte* name, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(int fd, byte* buffer, nint count);

    /// <summary>open(2) of a trusted path; a descriptor, or -1 with <paramref name="errno"/>.</summary>
    public static int Open(string path, int flags, out int errno)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes)
            while (true)
            {
                var fd = NativeOpen(p, flags, 0);
                if (Failed(fd, out errno) != EINTR) return fd;
            }
    }

    /// <summary>openat(2) of one name in a directory; a descriptor, or -1 with <paramref name="errno"/>.</summary>
    public static int OpenAt(int dirFd, RawName name, int flags, int mode, out int errno)
    {
        Span<byte> cname = CName(name, stackalloc byte[256]);
        fixed (byte* p = cname)
            while (true)
            {
                var fd = NativeOpenAt(dirFd, p, flags, mode);
                if (Failed(fd, out errno) != EINTR) return fd;
            }
    }

    /// <summary>statx(2) of a name in a directory, never following a link; null with <paramref name="errno"/> on failure.</summary>
    public static FileStatus? StatAt(int dirFd, RawName name, out int errno)
    {
        Span<byte> cname = CName(name, stackalloc byte[256]);
        fixed (byte* p = cname) return Stat(dirFd, p, AtSymlinkNoFollow | AtNoAutomount, out errno);
    }

    /// <summary>statx(2) of an open descriptor (<c>AT_EMPTY_PATH</c>): what was opened, whatever its name is now.</summary>
    public static FileStatus StatFd(int fd)
    {
        byte empty = 0;
        return Stat(fd, &empty, AtEmptyPath | AtNoAutomount, out var errno) ?? throw Error(errno, "statx of an open file");
    }

    /// <summary>The names of a directory stream but "." and "..", read to its end.</summary>
    public static List<RawName> ReadNames(nint dir)
    {
        var names = new List<RawName>();
        while (true)
        {
            var entry = NativeReadDir(dir);
            if (entry is null)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno == 0 ? names : throw Error(errno, "reading a directory");
            }
            var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + DirentNameOffset);
            if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8)) names.Add(new RawName(name.ToArray()));
        }
    }

    /// <summary>readlinkat(2): where a link points, or null if it cannot be read.</summary>
    public static RawName? ReadLinkAt(int dirFd, RawName name)
    {
        Span<byte> cname = CName(name, stackalloc byte[256]);
        var target = new byte[4096];
        fixed (byte* p = cname)
        fixed (byte* t = target)
        {
            var n = NativeReadLinkAt(dirFd, p, t, target.Length);
            return n < 0 ? null : new RawName(target[..(int)n]);
        }
    }

    /// <summary>write(2) of all of <paramref name="bytes"/>.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
            for (var done = 0; done < bytes.Length;)
            {
                var n = (int)NativeWrite(fd, start + done, bytes.Length - done);
                if (n >= 0) done += n;
                else if (Failed(n, out var errno) != EINTR) throw Error(errno, "write");
            }
    }

    /// <summary>read(2) of up to <paramref name="max"/> bytes, to the end of the file or the limit.</summary>
    public static byte[] ReadUpTo(int fd, int max)
    {
        var buffer = new byte[max];
        var done = 0;
        fixed (byte* start = buffer)
            while (done < max)
            {
                var n = (int)NativeRead(fd, start + done, max - done);
                if (n == 0) break;
                if (n > 0) done += n;
                else if (Failed(n, out var errno) != EINTR) throw Error(errno, "read");
            }
        return buffer[..done];
    }

    public static IOException Error(int errno, string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}");

    private static FileStatus? Stat(int dirFd, byte* name, int flags, out int errno)
    {
        StatxBuffer buffer;
        if (NativeStatx(dirFd, name, flags, StatxWanted, &buffer) == 0)
        {
            errno = 0;
            return buffer.ToStatus();
        }
        errno = Marshal.GetLastPInvokeError();
        return null;
    }

    /// <summary>The errno of a call that returned <paramref name="result"/> (0 when it succeeded).</summary>
    private static int Failed(int result, out int errno) => errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;

    /// <summary>The name NUL-terminated, in <paramref name="buffer"/> when it fits (a kernel name has at most 255 bytes).</summary>
    private static Span<byte> CName(RawName name, Span<byte> buffer)
    {
        var cname = name.Length < buffer.Length ? buffer[..(name.Length + 1)] : new byte[name.Length + 1];
        name.Bytes.CopyTo(cname);
        cname[^1] = 0;
        return cname;
    }
}
