using Terminus.Core.Slurm;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>
/// One poll for all of this daemon's jobs: a single <c>squeue</c> for every id (finished jobs included while the
/// controller still holds them), then a single <c>sacct</c> for the ids it no longer lists, falling back to
/// <c>sacct -c</c> (job completion log) and, job by job, <c>scontrol show job</c> where accounting is absent.
/// </summary>
public static class SlurmQuery
{
    public const int MaxScontrolCalls = 5;

    public static async Task<SlurmPollResult> PollAsync(ISlurmCommands commands, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var states = new Dictionary<string, SlurmJobState>();
        if (ids.Count == 0) return new SlurmPollResult(states, 0, null);
        var list = string.Join(',', ids);
        var calls = 1;
        var squeue = await commands.RunAsync("squeue", ["-h", "-t", "all", "-o", SlurmParsers.SqueueFormat, "-j", list], cancellationToken: ct).ConfigureAwait(false);
        if (squeue.ExitCode == 0)
        {
            foreach (var (id, s) in SlurmParsers.ParseSqueue(squeue.StdOut))
                if (ids.Contains(id)) states[id] = s;
        }
        else if (!SlurmParsers.IsUnknownJobError(squeue.StdErr))
        {
            return new SlurmPollResult(states, calls, $"squeue failed ({squeue.ExitCode}): {FirstLine(squeue.StdErr)}");
        }

        var missing = ids.Where(id => !states.ContainsKey(id)).ToList();
        if (missing.Count == 0) return new SlurmPollResult(states, calls, null);

        calls++;
        var sacct = await commands.RunAsync("sacct", ["-X", "-n", "-P", "-o", SlurmParsers.SacctFormat, "-j", string.Join(',', missing)], cancellationToken: ct).ConfigureAwait(false);
        if (sacct.ExitCode != 0)
        {
            calls++; // no accounting: the completion log knows finished jobs
            sacct = await commands.RunAsync("sacct", ["-c", "-n", "-P", "-o", SlurmParsers.SacctFormat, "-j", string.Join(',', missing)], cancellationToken: ct).ConfigureAwait(false);
        }
        if (sacct.ExitCode == 0)
        {
            foreach (var (id, s) in SlurmParsers.ParseSacct(sacct.StdOut))
                if (missing.Contains(id)) states[id] = s;
        }

        foreach (var id in ids.Where(id => !states.ContainsKey(id)).Take(MaxScontrolCalls))
        {
            calls++;
            var show = await commands.RunAsync("scontrol", ["show", "job", id], cancellationToken: ct).ConfigureAwait(false);
            if (show.ExitCode == 0 && SlurmParsers.ParseScontrol(show.StdOut) is { } s && s.JobId == id) states[id] = s;
        }
        return new SlurmPollResult(states, calls, null);
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
}
