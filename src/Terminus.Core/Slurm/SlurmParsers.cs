namespace Terminus.Core.Slurm;

/// <summary>Parsers for the output of sbatch, squeue, sacct and scontrol. Lines that do not fit are skipped.</summary>
public static class SlurmParsers
{
    public const string SqueueFormat = "%i|%T|%r";
    public const string SacctFormat = "JobID,State,ExitCode";

    /// <summary><c>sbatch --parsable</c> prints <c>&lt;id&gt;</c> or <c>&lt;id&gt;;&lt;cluster&gt;</c>.</summary>
    public static string? ParseSbatchId(string stdout)
    {
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        var id = line?.Split(';')[0];
        return id is not null && IsJobId(id) ? id : null;
    }

    /// <summary>
    /// A SLURM job id as any command of ours may use it: a positive integer in plain digits (ids also come back from
    /// a file in the job directory, which the service can rewrite).
    /// </summary>
    public static bool IsJobId(string id) =>
        id is { Length: > 0 and <= 18 } && id.All(char.IsAsciiDigit) && id[0] != '0';

    /// <summary><c>squeue -h -t all -o '%i|%T|%r'</c>.</summary>
    public static IReadOnlyDictionary<string, SlurmJobState> ParseSqueue(string stdout) =>
        Rows(stdout, 3).ToDictionary(r => r[0], r => new SlurmJobState(r[0], r[1], r[2]));

    /// <summary><c>sacct -X -n -P -o JobID,State,ExitCode</c> (or <c>sacct -c</c>); the last line of a job wins.</summary>
    public static IReadOnlyDictionary<string, SlurmJobState> ParseSacct(string stdout)
    {
        var result = new Dictionary<string, SlurmJobState>();
        foreach (var r in Rows(stdout, 3))
            if (r[0].All(char.IsAsciiDigit)) result[r[0]] = new SlurmJobState(r[0], r[1], "", r[2]);
        return result;
    }

    /// <summary><c>scontrol show job &lt;id&gt;</c>: JobId, JobState, Reason, ExitCode.</summary>
    public static SlurmJobState? ParseScontrol(string stdout)
    {
        var fields = stdout.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        return fields.TryGetValue("JobId", out var id) && fields.TryGetValue("JobState", out var state)
            ? new SlurmJobState(id, state, fields.GetValueOrDefault("Reason", ""), fields.GetValueOrDefault("ExitCode", ""))
            : null;
    }

    /// <summary>squeue/scontrol about ids the controller no longer knows: a plain answer ("none of them"), not a failure.</summary>
    public static bool IsUnknownJobError(string stderr) => stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string[]> Rows(string stdout, int columns) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|')).Where(r => r.Length >= columns && r[0].Length > 0);
}
