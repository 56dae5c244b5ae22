using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Terminus.Config.Cli;
using Terminus.Core;
using Terminus.Core.Configuration;
using Terminus.Core.Ledger;
using Terminus.Core.Text;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus show JOBID</c>: the job's history from the ledger, read-only and safe while the daemon runs: every
/// transition and status in order (its time, its number in the journal, the status's number and run), the runner's pid
/// or the SLURM job, the time spent per phase, the outcome, and where the job's directory is or was moved to.
/// </summary>
public sealed class ShowCommand(CommandIo io)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public int Run(long jobId, string? ledgerOption, bool json)
    {
        var ledger = JobsCommand.LedgerPath(io, ledgerOption);
        var jobRoot = io.PathSetting(s => s.JobDir, "TERMINUS_JOB_DIR") ?? "";
        JobHistory? history;
        try { history = LedgerReader.ReadHistory(ledger, jobId, jobRoot); }
        catch (LedgerUnreadableException e)
        {
            io.Out.WriteLine($"terminus show: {e.Message}");
            return ExitCodes.IoError;
        }
        if (history is null)
        {
            io.Out.WriteLine($"terminus show: the ledger {ledger} knows no job {jobId} (never received, or finished more than 30 days ago)");
            return ExitCodes.Failure;
        }
        if (json)
        {
            io.Out.WriteLine(JsonSerializer.Serialize(history, Json));
            return ExitCodes.Ok;
        }
        Print(history);
        return ExitCodes.Ok;
    }

    private void Print(JobHistory h)
    {
        var w = io.Out;
        w.WriteLine(h.Live ? $"job {h.JobId}: live" : h.Retired is { } r
            ? $"job {h.JobId}: finished {r.Status}: {Printable.Line(r.Message, 300)} (retired {Time(r.At)}, run {r.Run})"
            : $"job {h.JobId}: not received yet");
        if (h.Cancel is { } c)
            w.WriteLine($"cancel taken {Time(c.At)}, by {c.ToRequest().Who}{(c.Reason is { } reason ? $": {reason}" : "")}");
        foreach (var run in h.Runs)
        {
            w.WriteLine();
            w.WriteLine($"run {run.Run}: task {run.TaskId}, service {run.Service ?? "(not validated)"}, accepted {Time(run.AcceptedAt)}, now {run.Phase}");
            foreach (var e in run.Events)
            {
                var status = e.StatusSeq is { } seq ? $" [status #{seq}, run {run.Run}] \"{Printable.Line(e.Message, 300)}\"" : "";
                w.WriteLine($"  {Time(e.At)}  {e.JournalSeq,4}  {Printable.Line(e.What, 300)}{status}");
            }
            if (run.SecondsPerPhase.Count > 0)
                w.WriteLine($"  time per phase: {string.Join(", ", run.SecondsPerPhase.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.###} s")))}");
            if (run.Pid is { } pid) w.WriteLine($"  runner: pid {pid}{(run.Cgroup is { } cg ? $", cgroup {cg}" : "")}");
            if (run.SlurmJobId is { } slurm) w.WriteLine($"  SLURM job: {slurm}");
            // A retired run's statuses were all confirmed (the last confirmations are not written: retiring is the durable fact).
            var confirmed = h.Retired?.Run == run.Run ? "every status confirmed by the broker" : $"the broker confirmed the statuses up to #{run.StatusesConfirmedUpTo}";
            if (run.LastStatus is { } last) w.WriteLine($"  outcome: {last}: {Printable.Line(run.LastMessage, 300)} ({confirmed})");
            if (run.Directory is { } dir) w.WriteLine($"  directory: {dir}");
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
