using System.Text.Json;
using Terminus.Config.Cli;
using Terminus.Core;
using Terminus.Core.Configuration;
using Terminus.Core.Operator;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus jobs</c> (live jobs and those finished since <c>--since</c>, filtered by status and service) and
/// <c>terminus status</c> (live jobs; <c>--all</c>: every finished one the ledger keeps, 30 days): read-only, from the
/// ledger, safe while the daemon runs. One table, or <c>--json</c>.
/// </summary>
public sealed class JobsCommand(CommandIo io)
{
    /// <param name="finishedSince">How far back finished jobs are listed; null for none, <see cref="TimeSpan.MaxValue"/> for all.</param>
    /// <param name="statuses">Keep jobs whose last status or phase is one of these (any when empty).</param>
    public int Run(string name, string? ledgerOption, TimeSpan? finishedSince, IReadOnlyCollection<string> statuses, string? service, bool json)
    {
        var ledger = LedgerPath(io, ledgerOption);
        var now = DateTimeOffset.UtcNow;
        IReadOnlyList<JobSummary> jobs;
        try { jobs = LedgerReader.Read(ledger, finishedSince is { } since && since != TimeSpan.MaxValue ? now - since : null); }
        catch (LedgerUnreadableException e)
        {
            io.Out.WriteLine($"terminus {name}: {e.Message}");
            return ExitCodes.IoError;
        }
        var shown = jobs.Where(j => (j.Live || finishedSince is not null)
                                    && (statuses.Count == 0 || statuses.Contains(j.LastStatus) || statuses.Contains(j.Phase.ToLowerInvariant()))
                                    && (service is null || j.Service == service)).ToList();
        if (json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(shown, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            return ExitCodes.Ok;
        }
        io.Out.WriteLine($"ledger {ledger}: {jobs.Count(j => j.Live)} unfinished job(s), {jobs.Count(j => !j.Live)} finished{Window(finishedSince)}");
        if (shown.Count == 0) return ExitCodes.Ok;
        io.Out.WriteLine($"{"JOB",-12} {"SERVICE",-18} {"STATE",-10} {"AGE",8}  LAST STATUS");
        foreach (var j in shown)
        {
            var age = (j.AcceptedAt ?? j.LastChange) is { } t ? DurationText.Age(now - t) : "";
            var pending = j.UndeliveredStatuses > 0 ? $" ({j.UndeliveredStatuses} not yet confirmed by the broker)" : "";
            var run = j.Run > 1 ? $" (run {j.Run})" : "";
            io.Out.WriteLine($"{j.JobId,-12} {Cut(j.Service, 18),-18} {j.Phase,-10} {age,8}  {j.LastStatus}: {Cut(j.LastMessage, 90)}{pending}{run}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>The ledger the daemon uses: --ledger, else TERMINUS_LEDGER of the configuration, else the default one.</summary>
    public static string LedgerPath(CommandIo io, string? ledgerOption) =>
        ledgerOption ?? io.PathSetting(s => s.LedgerPath, "TERMINUS_LEDGER") ?? TerminusSettings.DefaultLedgerPath(io.DotDir());

    private static string Window(TimeSpan? since) =>
        since is { } s && s != TimeSpan.MaxValue ? $" in the last {DurationText.Age(s)}" : " in the last 30 days";

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
