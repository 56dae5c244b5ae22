namespace Terminus.Actors.Amqp;

/// <summary>
/// Graceful stop for a consumer that lives behind a RestartSource: the source incarnation alive at the time is
/// asked to cancel its consumer and finish once its in-flight deliveries are settled, and no new incarnation
/// starts consuming afterwards. <see cref="Drained"/> completes when no incarnation is left.
/// </summary>
public sealed class DrainSignal
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action? _stopCurrent;
    private bool _requested;

    public bool IsRequested { get { lock (_gate) return _requested; } }

    public Task Drained => _drained.Task;

    public void Request()
    {
        Action? stop;
        lock (_gate)
        {
            if (_requested) return;
            _requested = true;
            stop = _stopCurrent;
            if (stop is null) _drained.TrySetResult();
        }
        stop?.Invoke();
    }

    /// <summary>Called by a starting incarnation; false means a drain was already asked for.</summary>
    internal bool Attach(Action stop)
    {
        lock (_gate)
        {
            if (_requested) return false;
            _stopCurrent = stop;
            return true;
        }
    }

    internal void Detach(Action stop)
    {
        lock (_gate)
        {
            if (_stopCurrent == stop) _stopCurrent = null;
            if (_requested && _stopCurrent is null) _drained.TrySetResult();
        }
    }
}
