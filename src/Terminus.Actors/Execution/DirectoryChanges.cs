using System.Threading.Channels;

namespace Terminus.Actors.Execution;

/// <summary>
/// Wakes a waiter when files named <c>terminus_*</c> change in a job directory (inotify through FileSystemWatcher),
/// so a run's progress is seen at once rather than by polling. Changes coalesce: one wake-up may stand for many.
/// </summary>
public sealed class DirectoryChanges : IDisposable
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly FileSystemWatcher _watcher;

    public DirectoryChanges(string directory, string filter = "terminus_*")
    {
        _watcher = new FileSystemWatcher(directory, filter)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        _watcher.Changed += (_, _) => Wake();
        _watcher.Created += (_, _) => Wake();
        _watcher.Renamed += (_, _) => Wake();
        _watcher.Deleted += (_, _) => Wake();
        _watcher.Error += (_, _) => Wake(); // overflow or the directory went away: the reader re-checks everything
        _watcher.EnableRaisingEvents = true;
    }

    private void Wake() => _signal.Writer.TryWrite(true);

    /// <summary>Completes at the next change, or after <paramref name="max"/> (a safety net for file systems without inotify).</summary>
    public async Task NextAsync(TimeSpan max, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(max);
        try { await _signal.Reader.ReadAsync(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
    }

    public void Dispose() => _watcher.Dispose();
}
