namespace Terminus.Infrastructure.Ledger;

/// <summary>One job as the ledger knows it, for the operator.</summary>
public sealed record JobSummary(long JobId, string Service, string Phase, bool Live, DateTimeOffset? AcceptedAt, DateTimeOffset? LastChange,
    string LastStatus, string LastMessage, int UndeliveredStatuses, int Run = 1);
