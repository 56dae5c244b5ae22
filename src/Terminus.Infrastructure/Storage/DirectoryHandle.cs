using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// An open directory (a <c>DIR*</c> and its descriptor) whose entries are opened, listed and examined by name relative
/// to it, never through a path and never following a link at that name: a service that replaces a name with a link, in
/// <c>out/</c> or at <c>out</c> itself, cannot make the daemon read what the link points to. Used by one thread at a time.
/// </summary>
public sealed class DirectoryHandle : SafeHandle
{
    private int _fd = -1;

    private DirectoryHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The descriptor, never used once closed (the number may already name another file).</summary>
    private int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return _fd;
        }
    }

    /// <summary>
    /// Opens a directory by a trusted path (the configured job directory); a link at its last name is not followed.
    /// </summary>
    /// <exception cref="IOException">It cannot be opened as a directory.</exception>
    public static DirectoryHandle Open(string path) =>
        FromDescriptor(LibC.Open(path, DirectoryFlags, out var errno)) ?? throw LibC.Error(errno, path);

    /// <summary>Opens the subdirectory <paramref name="name"/>, or null (and why) if that name is not a real directory now.</summary>
    public DirectoryHandle? TryOpenDirectory(RawName name, out int errno) =>
        FromDescriptor(LibC.OpenAt(Fd, name, DirectoryFlags, 0, out errno));

    /// <summary>
    /// Opens <paramref name="name"/> for reading, or null (and why). A link is not followed and a FIFO does not block
    /// (<c>O_NONBLOCK</c>): check what was opened with <see cref="StatOf(SafeFileHandle)"/>.
    /// </summary>
    public SafeFileHandle? TryOpenFile(RawName name, out int errno) =>
        FileHandle(LibC.OpenAt(Fd, name, LibC.ORdOnly | LibC.ONoFollow | LibC.ONonBlock | LibC.OCloExec, 0, out errno));

    /// <summary>Opens (creating it, mode 0644 less the umask) <paramref name="name"/> to append to it, never through a link, never blocking.</summary>
    public SafeFileHandle? TryOpenForAppend(RawName name, out int errno) =>
        FileHandle(LibC.OpenAt(Fd, name, LibC.OWrOnly | LibC.OAppend | LibC.OCreat | LibC.ONoFollow | LibC.ONonBlock | LibC.OCloExec,
            0b110_100_100 /* 0644 */, out errno));

    /// <summary>The entries' names but "." and "..", in ordinal order of their bytes.</summary>
    public List<RawName> ReadNames()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var names = LibC.ReadNames(handle);
        names.Sort();
        return names;
    }

    /// <summary>What <paramref name="name"/> is (a link as a link), or null if it is gone.</summary>
    /// <exception cref="IOException">statx failed otherwise.</exception>
    public FileStatus? Stat(RawName name) => LibC.StatAt(Fd, name, out var errno) is { } status ? status
        : errno == LibC.ENOENT ? null : throw LibC.Error(errno, $"statx of {name}");

    /// <summary>What this directory is now.</summary>
    public FileStatus Stat() => LibC.StatFd(Fd);

    /// <summary>Where the link <paramref name="name"/> points, or null if it cannot be read.</summary>
    public RawName? ReadLink(RawName name) => LibC.ReadLinkAt(Fd, name);

    /// <summary>What an open file is, whatever its name points to now.</summary>
    public static FileStatus StatOf(SafeFileHandle file) => LibC.StatFd((int)file.DangerousGetHandle());

    /// <summary>Writes all of <paramref name="bytes"/> to an open file.</summary>
    public static void WriteAll(SafeFileHandle file, ReadOnlySpan<byte> bytes) => LibC.WriteAll((int)file.DangerousGetHandle(), bytes);

    /// <summary>Why an open of an entry listed a moment ago failed, in words for the lab's user.</summary>
    public static string WhyNotOpened(int errno) => errno switch
    {
        LibC.ELOOP => "changed while packaging (now a symbolic link)",
        LibC.ENOTDIR => "changed while packaging (no longer a directory)",
        LibC.ENOENT => "removed while packaging",
        _ => $"could not be opened ({Marshal.GetPInvokeErrorMessage(errno)})",
    };

    protected override bool ReleaseHandle() => LibC.CloseDir(handle) == 0;

    private static int DirectoryFlags => LibC.ORdOnly | LibC.ODirectory | LibC.ONoFollow | LibC.OCloExec;

    private static DirectoryHandle? FromDescriptor(int fd)
    {
        if (fd < 0) return null;
        var dir = LibC.FdOpenDir(fd); // the stream owns the descriptor from here
        if (dir == IntPtr.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw LibC.Error(errno, "fdopendir");
        }
        var result = new DirectoryHandle { _fd = fd };
        result.SetHandle(dir);
        return result;
    }

    private static SafeFileHandle? FileHandle(int fd) => fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
}
