namespace Terminus.Actors.Intake;

/// <summary>One job's hold on the gate; released once (later calls do nothing).</summary>
public sealed class JobSlot(AdmissionGate gate)
{
    private int _released;

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
    }
}
