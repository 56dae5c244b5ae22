using Terminus.Core.Execution;

namespace Terminus.Actors.Execution;

/// <summary>Reads the events a runner appended to its status file since the last read (by content and offset, not mtime).</summary>
public sealed class RunnerEventReader(string statusFile)
{
    private readonly List<RunnerEvent> _all = new();
    private long _offset;

    public IReadOnlyList<RunnerEvent> All => _all;

    public IReadOnlyList<RunnerEvent> ReadNew()
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(statusFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length <= _offset) return [];
            stream.Seek(_offset, SeekOrigin.Begin);
            bytes = new byte[stream.Length - _offset];
            bytes = bytes[..stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        var (events, consumed) = RunnerRecords.ParseEvents(bytes, 0);
        _offset += consumed;
        _all.AddRange(events);
        return events;
    }
}
