using Terminus.Core.Jobs;

namespace Terminus.Core.Ledger;

/// <summary>The journals of the job ledger: the daemon writes them, <c>terminus status</c> reads them.</summary>
public static class PersistenceIds
{
    /// <summary>The supervisor's index of live and finished jobs.</summary>
    public const string Supervisor = "job-ledger";

    /// <summary>One run of a job. The first keeps the name it always had, so ledgers of earlier versions resume.</summary>
    public static string Job(JobId id, int run = 1) => run <= 1 ? $"job-{id}" : $"job-{id}-run-{run}";
}
