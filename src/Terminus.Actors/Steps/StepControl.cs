namespace Terminus.Actors.Steps;

/// <summary>
/// What a step's executor is given besides the step: where to say that the work began, and the two ways it may be
/// interrupted, which call for opposite things.
/// </summary>
public sealed class StepControl(Action<TimeSpan?> onStarted, CancellationToken stop, CancellationToken shutdown,
    Action<StepLaunched>? onLaunched = null, Action<StepSubmitted>? onSubmitted = null) : IDisposable
{
    private readonly CancellationTokenSource _any = CancellationTokenSource.CreateLinkedTokenSource(stop, shutdown);

    /// <summary>A control that is never stopped nor shut down, for direct calls (tools, tests).</summary>
    public static StepControl None(Action? started = null) => new(_ => started?.Invoke(), CancellationToken.None, CancellationToken.None);

    /// <summary>
    /// Stop this step now (its deadline passed, or the job is cancelled): kill everything it started, then return.
    /// The worker answers with the stop's reason, unless the work succeeded first.
    /// </summary>
    public CancellationToken Stop { get; } = stop;

    /// <summary>
    /// The daemon is stopping: leave what survives the daemon running (a service, a SLURM job; a restarted daemon
    /// re-attaches to it) and return.
    /// </summary>
    public CancellationToken Shutdown { get; } = shutdown;

    /// <summary>Either interruption, for work that ends the same way on both (tar, rsync).</summary>
    public CancellationToken Any => _any.Token;

    /// <summary>The work really began (for a service: its process runs); see <see cref="StepStarted.Limit"/>.</summary>
    public void Started(TimeSpan? limit = null) => onStarted(limit);

    /// <summary>A run's runner was launched: what the daemon saw of it goes to the job's ledger.</summary>
    public void Launched(StepLaunched launched) => onLaunched?.Invoke(launched);

    /// <summary>A SLURM run's job was submitted: its id goes to the job's ledger.</summary>
    public void Submitted(StepSubmitted submitted) => onSubmitted?.Invoke(submitted);

    /// <summary>Unregisters <see cref="Any"/> from the worker's long-lived shutdown token, once the step is done.</summary>
    public void Dispose() => _any.Dispose();
}
