using System.Collections.Concurrent;
using Terminus.Infrastructure.Processes;
using Terminus.Actors.Execution.Slurm;

namespace Terminus.Actors.Tests.Execution.Slurm;

/// <summary>An in-memory SLURM cluster behind the command-line tools, recording every command it is asked.</summary>
internal sealed class FakeSlurm : ISlurmCommands
{
    public sealed class Job
    {
        public string State = "PENDING", Reason = "Priority", ExitCode = "0:0", Name = "";
        public bool InController = true, InAccounting = true;
    }

    private int _nextId = 100;
    public ConcurrentDictionary<string, Job> Jobs { get; } = new();
    public ConcurrentQueue<string> Calls { get; } = new();
    public bool Accounting { get; set; } = true;
    public string? RefuseWith { get; set; }
    /// <summary>Every query fails with this error (controller down).</summary>
    public volatile string? FailWith;

    public int CallsOf(string program) => Calls.Count(c => c.StartsWith(program + " ", StringComparison.Ordinal));

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"{program} {string.Join(' ', args)}");
        if (FailWith is { } failure && program is "squeue" or "sacct" or "scontrol") return Task.FromResult(new CommandResult(1, "", failure + "\n"));
        return Task.FromResult(program switch
        {
            "sbatch" => Sbatch(args),
            "squeue" => Squeue(args),
            "sacct" => Sacct(args),
            "scontrol" => Scontrol(args),
            "scancel" => Scancel(args),
            _ => new CommandResult(127, "", $"{program}: not found"),
        });
    }

    private CommandResult Sbatch(IReadOnlyList<string> args)
    {
        if (RefuseWith is { } error) return new CommandResult(1, "", $"sbatch: error: {error}\n");
        var id = Interlocked.Increment(ref _nextId).ToString();
        var script = File.ReadAllText(args[^1]);
        Jobs[id] = new Job { Name = script.Split('\n').First(l => l.StartsWith("#SBATCH --job-name=")).Split('=')[1] };
        return new CommandResult(0, id + "\n", "");
    }

    private CommandResult Squeue(IReadOnlyList<string> args)
    {
        var name = Value(args, "--name");
        var ids = Value(args, "-j")?.Split(',') ?? [];
        var known = Jobs.Where(j => j.Value.InController && (name is null ? ids.Contains(j.Key) : j.Value.Name == name)).ToList();
        if (name is null && known.Count == 0) return new CommandResult(1, "", "slurm_load_jobs error: Invalid job id specified\n");
        var format = Value(args, "-o");
        return new CommandResult(0, string.Concat(known.Select(j => format switch
        {
            "%i" => $"{j.Key}\n",
            "%j" => $"{j.Value.Name}\n",
            _ => $"{j.Key}|{j.Value.State}|{j.Value.Reason}\n",
        })), "");
    }

    private CommandResult Sacct(IReadOnlyList<string> args)
    {
        var completionLog = args.Contains("-c");
        if (!Accounting && !completionLog) return new CommandResult(1, "", "Slurm accounting storage is disabled\n");
        var name = Value(args, "--name");
        var ids = Value(args, "-j")?.Split(',') ?? [];
        var rows = Jobs.Where(j => j.Value.InAccounting && (name is null ? ids.Contains(j.Key) : j.Value.Name == name)
                                   && (!completionLog || j.Value.State is not ("PENDING" or "RUNNING")));
        return new CommandResult(0, string.Concat(rows.Select(j => Value(args, "-o") switch
        {
            "JobID" => $"{j.Key}\n",
            "JobName" => $"{j.Value.Name}\n",
            _ => $"{j.Key}|{j.Value.State}|{j.Value.ExitCode}\n",
        })), "");
    }

    private CommandResult Scontrol(IReadOnlyList<string> args) =>
        Jobs.TryGetValue(args[^1], out var j) && j.InController
            ? new CommandResult(0, $"JobId={args[^1]} JobName={j.Name}\n   JobState={j.State} Reason={j.Reason} Dependency=(null)\n   ExitCode={j.ExitCode}\n", "")
            : new CommandResult(1, "", "slurm_load_jobs error: Invalid job id specified\n");

    private CommandResult Scancel(IReadOnlyList<string> args)
    {
        // As SLURM does: with --name, only a job of that name is cancelled.
        if (Jobs.TryGetValue(args[^1], out var j) && (Value(args, "--name") is not { } name || j.Name == name)) (j.State, j.Reason) = ("CANCELLED", "None");
        return new CommandResult(0, "", "");
    }

    private static string? Value(IReadOnlyList<string> args, string option)
    {
        var i = args.ToList().IndexOf(option);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }
}
