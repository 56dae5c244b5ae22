using System.Globalization;
using System.Text.Json;
using Terminus.Config.Cli;
using Terminus.Core.Configuration;
using Terminus.Infrastructure.Ledger;
using Terminus.Core;

namespace Terminus.Config.Commands;

/// <summary><c>terminus status</c>: the jobs in the daemon's ledger, read-only (safe while the daemon runs).</summary>
public sealed class StatusCommand(CommandIo io)
{
    public const string Usage = "usage: terminus status [--all] [--json] [--ledger FILE]   (--all: finished jobs too, kept 30 days)";
    private static readonly IReadOnlySet<string> Flags = new HashSet<string> { "all", "json", "help" };

    public int Run(IReadOnlyList<string> args)
    {
        if (!Arguments.TryParse(args, Flags, Usage, io.Out, out var a)) return 0;
        var (all, json, ledgerOption) = (a.Flag("all"), a.Flag("json"), a.Value("ledger"));
        if (a.Problem("terminus status", Usage) is { } usageError) { io.Out.WriteLine(usageError); return ExitCodes.Usage; }

        var ledger = ledgerOption ?? io.PathSetting(s => s.LedgerPath, "TERMINUS_LEDGER") ?? TerminusSettings.DefaultLedgerPath(io.DotDir());
        IReadOnlyList<JobSummary> jobs;
        try { jobs = LedgerReader.Read(ledger); }
        catch (LedgerUnreadableException e)
        {
            io.Out.WriteLine($"terminus status: {e.Message}");
            return ExitCodes.IoError;
        }
        var shown = jobs.Where(j => all || j.Live).ToList();
        if (json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(shown, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            return 0;
        }
        io.Out.WriteLine($"ledger {ledger}: {jobs.Count(j => j.Live)} unfinished job(s), {jobs.Count(j => !j.Live)} finished in the last 30 days");
        if (shown.Count == 0) return 0;
        io.Out.WriteLine($"{"JOB",-12} {"SERVICE",-18} {"STATE",-10} {"AGE",8}  LAST STATUS");
        var now = DateTimeOffset.UtcNow;
        foreach (var j in shown)
        {
            var age = (j.AcceptedAt ?? j.LastChange) is { } t ? Age(now - t) : "";
            var pending = j.UndeliveredStatuses > 0 ? $" ({j.UndeliveredStatuses} not yet confirmed by the broker)" : "";
            var run = j.Run > 1 ? $" (run {j.Run})" : "";
            io.Out.WriteLine($"{j.JobId,-12} {Cut(j.Service, 18),-18} {j.Phase,-10} {age,8}  {j.LastStatus}: {Cut(j.LastMessage, 90)}{pending}{run}");
        }
        return 0;
    }

    private static string Age(TimeSpan t) => t.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalDays:0}d")
        : t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0}h") : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalMinutes):0}m");

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
