using System.Text;
using Terminus.Infrastructure.Storage;

namespace Terminus.Infrastructure.Ledger;

/// <summary>
/// One daemon per ledger: an exclusive lock on <c>&lt;ledger&gt;.lock</c> (flock(2), which .NET takes when a file is
/// opened with <see cref="FileShare.None"/>), held for the daemon's life and released by the kernel however it ends.
/// The jobs it starts never inherit it (descriptors are close-on-exec), so a restarted daemon beside running jobs
/// takes it again. The holder writes its pid and host into the file, for the one it refuses; that one reads them
/// without asking for a lock.
/// </summary>
public sealed class LedgerLock : IDisposable
{
    private readonly FileStream _file;

    private LedgerLock(FileStream file) => _file = file;

    public static string LockFileFor(string ledgerPath) => ledgerPath + ".lock";

    /// <summary>The lock, or null with what the file says of its holder ("pid 1234 on host", or why it says nothing).</summary>
    /// <exception cref="IOException">The lock file cannot be created or written (not a question of who holds it).</exception>
    public static LedgerLock? TryTake(string ledgerPath, out string holder)
    {
        var path = LockFileFor(ledgerPath);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            holder = DescribeHolder(path);
            return null;
        }
        file.SetLength(0);
        file.Write(Encoding.UTF8.GetBytes($"pid {Environment.ProcessId} on {Environment.MachineName}\n"));
        file.Flush(flushToDisk: true);
        holder = "";
        return new LedgerLock(file);
    }

    private static string DescribeHolder(string path)
    {
        var fd = LibC.Open(path, LibC.ORdOnly | LibC.OCloExec, out var errno);
        if (fd < 0) return $"unknown: {path} cannot be read ({LibC.Error(errno, "open").Message})";
        try
        {
            var text = Encoding.UTF8.GetString(LibC.ReadUpTo(fd, 256)).Trim();
            return text.Length > 0 ? text : "not yet named in the lock file";
        }
        finally { LibC.Close(fd); }
    }

    public void Dispose() => _file.Dispose();
}
