using System.Runtime.InteropServices;
using System.Text;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// Appends the daemon's lines to a job's <c>out/job.log</c>, the log of the run its user receives, without following a
/// link at that name, blocking on a FIFO or writing through a second name: only a regular file with one name is written.
/// </summary>
public static class JobLog
{
    public static readonly RawName Name = RawName.FromString("job.log");

    /// <summary>Null when <paramref name="text"/> was appended, else why not (for the daemon's log).</summary>
    public static string? Append(DirectoryHandle outDir, string text)
    {
        using var file = outDir.TryOpenForAppend(Name, out var errno);
        if (file is null)
            return errno == LibC.ELOOP ? "out/job.log is a symbolic link" : $"out/job.log could not be opened ({Marshal.GetPInvokeErrorMessage(errno)})";
        var status = DirectoryHandle.StatOf(file);
        if (OutputRules.WhyNotASingleFile(status.Kind, status.Links) is { } why) return $"out/job.log is {why}";
        DirectoryHandle.WriteAll(file, Encoding.UTF8.GetBytes(text));
        return null;
    }
}
