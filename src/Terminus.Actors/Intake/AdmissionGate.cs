namespace Terminus.Actors.Intake;

/// <summary>
/// Decides when the daemon may take another job request: a free job slot (nodes × concurrency, 0.7's bound on
/// concurrent jobs), a healthy host (disk space, readable services) and a ledger that is recovered and can be written.
/// A slot is held from the moment a request is taken until its job ends (or is retired, whatever its delivery's fate;
/// see <c>JobSupervisorActor.MaxEndedHoldingNoSlot</c>): since deliveries are acknowledged as soon as their job is
/// durably accepted, the broker no longer bounds running jobs; this does. Thread-safe; <see cref="Changed"/> tells the intake when to look again.
/// </summary>
public sealed class AdmissionGate(int capacity)
{
    private readonly object _lock = new();
    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _occupied;
    private string? _hostProblem;
    private string? _ledgerProblem;

    /// <summary>Completes once the ledger is recovered.</summary>
    public Task Recovered => _recovered.Task;

    public int Capacity { get; } = capacity;

    /// <summary>Raised (outside any lock) whenever a slot frees or the gate opens.</summary>
    public event Action? Changed;

    public int Occupied { get { lock (_lock) return _occupied; } }

    /// <summary>Why requests are not taken now, or null when the gate is open.</summary>
    public string? ClosedBecause { get { lock (_lock) return Reason(); } }

    private string? Reason() => Closed()?.Reason;

    /// <summary>Why the gate is closed, as text and as a fixed label (for metrics), in one order of precedence; null when open.</summary>
    private (string Label, string Reason)? Closed() =>
        !_recovered.Task.IsCompleted ? ("ledger_not_recovered", "the job ledger is not recovered yet")
        : _ledgerProblem is { } ledger ? ("ledger_unwritable", ledger)
        : _hostProblem is { } host ? ("host_unhealthy", host)
        : null;

    /// <summary>Every <see cref="PauseLabel"/> there is.</summary>
    public static readonly IReadOnlyList<string> PauseLabels = ["slots_full", "ledger_not_recovered", "ledger_unwritable", "host_unhealthy"];

    /// <summary>Why new requests are not taken now, as a fixed label (for metrics): the gate is closed, or every slot is busy; null when one would be.</summary>
    public string? PauseLabel
    {
        get
        {
            lock (_lock) return Closed()?.Label ?? (_occupied >= Capacity ? "slots_full" : null);
        }
    }

    /// <summary>Why the ledger cannot be written now (a write failed), or null: the daemon then takes nothing, and says it is down.</summary>
    public string? LedgerProblem { get { lock (_lock) return _ledgerProblem; } }

    /// <summary>Takes a slot for a new request, if the gate is open and a slot is free.</summary>
    public bool TryAdmit(out JobSlot slot)
    {
        lock (_lock)
        {
            if (Reason() is null && _occupied < Capacity)
            {
                _occupied++;
                slot = new JobSlot(this);
                return true;
            }
        }
        slot = null!;
        return false;
    }

    /// <summary>A slot for a job recovered from the ledger: it runs already, so it may take the count over capacity.</summary>
    public JobSlot Occupy()
    {
        lock (_lock) _occupied++;
        return new JobSlot(this);
    }

    /// <summary>The ledger is recovered and its live jobs hold their slots: new requests may come.</summary>
    public void MarkRecovered()
    {
        _recovered.TrySetResult();
        Changed?.Invoke();
    }

    /// <summary>A host problem (disk nearly full, services unreadable) closes the gate; null opens it again.</summary>
    public void SetHostProblem(string? problem)
    {
        lock (_lock) _hostProblem = problem;
        if (problem is null) Changed?.Invoke();
    }

    /// <summary>A failed ledger write closes the gate until a write succeeds again (null).</summary>
    public void SetLedgerProblem(string? problem)
    {
        lock (_lock) _ledgerProblem = problem;
        if (problem is null) Changed?.Invoke();
    }

    internal void Release()
    {
        lock (_lock) _occupied--;
        Changed?.Invoke();
    }
}
