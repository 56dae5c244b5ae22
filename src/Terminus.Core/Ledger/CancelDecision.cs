namespace Terminus.Core.Ledger;

/// <summary>What a cancel becomes, from the ledger (<see cref="LedgerState.DecideCancel"/>).</summary>
public enum CancelDecision
{
    /// <summary>The job is live: its run is stopped and it ends <c>failed</c> (cancelled).</summary>
    StopLive,
    /// <summary>The ledger has never seen the job: its request, when it comes, ends cancelled without running.</summary>
    AwaitRequest,
    /// <summary>The job finished already: nothing changes.</summary>
    AlreadyFinished,
    /// <summary>A cancel for the job was taken before: nothing more to do.</summary>
    AlreadyTaken,
}
