namespace Terminus.Core.Jobs;

/// <summary>What a job picked up from its ledger (after a restart or a crash) does in the phase it was left in.</summary>
public enum ResumeAction
{
    /// <summary>Validate the request again (nothing was started yet).</summary>
    Validate,
    /// <summary>Re-attach to the service if its runner left a trace; start it only if it provably never started.</summary>
    Reattach,
    /// <summary>Do the phase's step again from the start (packaging and uploading are idempotent).</summary>
    Redo,
    /// <summary>Nothing to do in this phase: move on to the next one at once.</summary>
    MoveOn,
    /// <summary>Terminal: send the statuses the broker has not confirmed, then deal with the job directory.</summary>
    Finish,
}
