namespace Terminus.Core.Ledger;

/// <summary>
/// What a request for a job id becomes, from the ledger (<see cref="LedgerState.Decide"/>). The Celery task id tells
/// a redelivery (the same task) from a new request (a new task: the portal sent the job again).
/// </summary>
public abstract record RequestDecision
{
    /// <summary>The same request as the live job's: it joins the job, which is not run again.</summary>
    public sealed record JoinLive : RequestDecision;

    /// <summary>A new request for a job id that is still running: refused without a status, which would confuse the live job's page.</summary>
    public sealed record RefuseWhileLive(LiveJob Live) : RequestDecision;

    /// <summary>The same request as a finished job's: its final status is sent again, nothing runs.</summary>
    public sealed record ResendFinal(JobRetired Retired) : RequestDecision;

    /// <summary>Runs: a new job (run 1), or a new run of a finished one, numbering its statuses after <paramref name="SeqBase"/>.</summary>
    public sealed record Admit(int Run, long SeqBase) : RequestDecision;
}
