namespace Terminus.Core.Ledger;

/// <summary>A status the job queued for the portal; <paramref name="Seq"/> is 1, 2, 3… per job, across its runs.</summary>
public sealed record OutboxEntry(long Seq, string Status, string Message);
