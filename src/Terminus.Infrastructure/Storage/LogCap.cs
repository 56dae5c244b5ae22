using System.Text;
using Microsoft.Win32.SafeHandles;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// Caps a log that a job's processes append to (stdout.log, stderr.log): past the cap, its last half is kept, after a
/// line saying how much came before and was dropped. The job's writers hold it with O_APPEND, so they go on at the new
/// end. A line written between the read and the truncation may be lost: the price of capping a file others hold
/// open. The file is opened without following a link and must be a regular file with one name, so a job that put a
/// link or a hard link there cannot make the daemon cut another file.
/// </summary>
public static class LogCap
{
    /// <summary>The bytes dropped, or 0 when the log is within the cap (or is not there, or not a plain file).</summary>
    public static long Enforce(string path, long maxBytes)
    {
        var fd = LibC.Open(path, LibC.ORdWr | LibC.ONoFollow | LibC.ONonBlock | LibC.OCloExec, out _);
        if (fd < 0) return 0;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var status = LibC.StatFd(fd);
        if (status.Kind != OutputKind.File || status.Links != 1 || status.Size <= maxBytes) return 0;
        using var file = new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
        var keep = (int)Math.Min(maxBytes / 2, int.MaxValue);
        var tail = new byte[keep];
        file.Seek(-keep, SeekOrigin.End);
        file.ReadExactly(tail);
        var dropped = file.Length - keep;
        file.SetLength(0);
        file.Seek(0, SeekOrigin.Begin);
        file.Write(Encoding.UTF8.GetBytes($"[terminus: {dropped} earlier bytes of this log were dropped: it passed {maxBytes} bytes (TERMINUS_JOB_LOG_MAX_MB)]\n"));
        file.Write(tail);
        return dropped;
    }
}
