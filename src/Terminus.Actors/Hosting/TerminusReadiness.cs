namespace Terminus.Actors.Hosting;

/// <summary>
/// When the daemon may say it is ready: once the ledger is recovered (its unfinished jobs resumed) and both the job
/// and the probe consumers are registered on the broker.
/// </summary>
public sealed class TerminusReadiness
{
    private readonly TaskCompletionSource _ledger = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _jobs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _monitor = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void LedgerRecovered() => _ledger.TrySetResult();
    public void JobsConsuming() => _jobs.TrySetResult();
    public void MonitorConsuming() => _monitor.TrySetResult();

    public Task Ready => Task.WhenAll(_ledger.Task, _jobs.Task, _monitor.Task);
}
