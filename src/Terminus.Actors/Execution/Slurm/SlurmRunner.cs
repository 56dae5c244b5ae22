using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Core.Sandbox;
using Terminus.Core.Slurm;
using Terminus.Core.Text;
using Terminus.Infrastructure.Sandbox;
using Terminus.Infrastructure.Storage;

namespace Terminus.Actors.Execution.Slurm;

/// <summary>
/// Runs a job's service as a SLURM batch job: the same job directory, request and runner as a local job, a batch
/// script written from validated values only, <c>sbatch --parsable</c> with its exit code checked. The job is then
/// followed through the shared <see cref="SlurmPollerActor"/> and the runner's files, and decided by
/// <see cref="SlurmVerdict"/>. Its SLURM id is kept in the job directory (and found again by its name tag), so a
/// restarted daemon re-attaches to it. If the daemon stops meanwhile, the SLURM job goes on.
/// </summary>
/// <param name="sandbox">The sandbox each node applies where bwrap works there (null: none).</param>
public sealed class SlurmRunner(TerminusSettings settings, ISlurmCommands commands, IActorRef poller, ILoggingAdapter log, JobSandbox? sandbox = null)
    : IStepExecutor
{
    /// <summary>The runner for a daemon: one poller actor shared by all jobs.</summary>
    public static SlurmRunner Create(StepContext context, TerminusSettings settings, ISlurmCommands commands, JobSandbox? sandbox = null) =>
        new(settings, commands, context.System.ActorOf(SlurmPollerActor.Props(commands, settings.Slurm), "slurm-poller"), context.Log, sandbox);

    public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
    {
        var cancellationToken = control.Any;
        var spec = step.Spec;
        var paths = JobPaths.For(settings.JobDir, spec);
        var record = step.Resume && Directory.Exists(paths.JobDir) ? await FindSubmittedAsync(spec, paths, cancellationToken).ConfigureAwait(false) : null;
        if (record is null)
        {
            var submitted = await SubmitAsync(spec, paths, setAside: !step.Resume, cancellationToken).ConfigureAwait(false);
            if (submitted.Failure is { } failure) return failure;
            record = submitted.Record!;
            control.Submitted(new StepSubmitted(spec.JobId, record.JobId));
        }
        else log.Info("Job #{0}: re-attached to SLURM job {1}", spec.JobId, record.JobId);
        try
        {
            var outcome = await FollowAsync(spec, paths, record, control.Started, cancellationToken).ConfigureAwait(false);
            sandbox?.Release(spec.JobName); // the job's /tmp, made on its node
            return outcome;
        }
        catch (OperationCanceledException) when (control.Stop.IsCancellationRequested)
        {
            await CancelAsync(spec, record.JobId, "the job is stopped").ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>scancel</c> restricted to the job's own name: an id read back from the job directory may have been
    /// rewritten, and SLURM then refuses to cancel another job with it.
    /// </summary>
    private async Task CancelAsync(JobSpec spec, string id, string why)
    {
        var name = SlurmScript.JobName(settings.HostName, spec.JobId);
        var result = await commands.RunAsync("scancel", ["--name", name, id]).ConfigureAwait(false);
        if (result.ExitCode == 0) log.Info("Job #{0}: SLURM job {1} cancelled: {2}", spec.JobId, id, why);
        else log.Warning("Job #{0}: scancel --name {1} {2} failed ({3}): {4}", spec.JobId, name, id, result.ExitCode, Printable.Line(result.StdErr, 300));
    }

    private sealed record SlurmRecord(string JobId, DateTime SubmittedUtc);

    /// <summary>The SLURM job of a resumed daemon job: from its record, or by its name tag if sbatch answered just before a crash.</summary>
    private async Task<SlurmRecord?> FindSubmittedAsync(JobSpec spec, JobPaths paths, CancellationToken ct)
    {
        try
        {
            if (File.Exists(paths.SlurmRecordFile))
            {
                using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(paths.SlurmRecordFile, ct).ConfigureAwait(false));
                var recorded = new SlurmRecord(doc.RootElement.GetProperty("job_id").GetString()!, doc.RootElement.GetProperty("submitted").GetDateTime());
                if (await ConfirmAsync(spec, recorded.JobId, ct).ConfigureAwait(false)) return recorded;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            log.Warning("Job #{0}: unreadable {1}: {2}; looking the job up by name", spec.JobId, paths.SlurmRecordFile, e.Message);
        }
        var name = SlurmScript.JobName(settings.HostName, spec.JobId);
        var squeue = await commands.RunAsync("squeue", ["-h", "-t", "all", "-o", "%i", "--name", name], cancellationToken: ct).ConfigureAwait(false);
        var ids = Ids(squeue.ExitCode == 0 ? squeue.StdOut : "");
        if (ids.Count == 0)
        {
            var sacct = await commands.RunAsync("sacct", ["-X", "-n", "-P", "-o", "JobID", "--name", name, "-S", "now-7days"], cancellationToken: ct).ConfigureAwait(false);
            ids = Ids(sacct.ExitCode == 0 ? sacct.StdOut : "");
        }
        if (ids.Count == 0) return null;
        var id = ids.Max()!.ToString();
        log.Warning("Job #{0}: no record of its SLURM job in the job directory, but the scheduler knows job {1} by its name {2}", spec.JobId, id, name);
        return new SlurmRecord(id, DateTime.UtcNow);
    }

    /// <summary>
    /// An id read back from the job directory is used only if it is a job id and SLURM does not know it under another
    /// name (a job purged from SLURM's memory is still followed: polling it is read-only, and its cancel is name-bound).
    /// </summary>
    private async Task<bool> ConfirmAsync(JobSpec spec, string id, CancellationToken ct)
    {
        if (!SlurmParsers.IsJobId(id))
        {
            log.Warning("Job #{0}: {1} holds '{2}', not a SLURM job id; looking the job up by name", spec.JobId, "terminus_slurm.json", Printable.Line(id, 40));
            return false;
        }
        var name = SlurmScript.JobName(settings.HostName, spec.JobId);
        var squeue = await commands.RunAsync("squeue", ["-h", "-t", "all", "-o", "%j", "-j", id], cancellationToken: ct).ConfigureAwait(false);
        var known = squeue.ExitCode == 0 ? squeue.StdOut.Trim() : "";
        if (known.Length == 0)
        {
            var sacct = await commands.RunAsync("sacct", ["-X", "-n", "-P", "-o", "JobName", "-j", id], cancellationToken: ct).ConfigureAwait(false);
            known = sacct.ExitCode == 0 ? sacct.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "" : "";
        }
        if (known.Length == 0 || known == name) return true;
        log.Warning("Job #{0}: SLURM job {1} from {2} is named '{3}', not {4}; looking the job up by name", spec.JobId, id, "terminus_slurm.json",
            Printable.Line(known, 100), name);
        return false;
    }

    private static List<long> Ids(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => long.TryParse(l.Split('.')[0], out var id) ? id : -1).Where(id => id > 0).ToList();

    private async Task<(SlurmRecord? Record, StepOutcome? Failure)> SubmitAsync(JobSpec spec, JobPaths paths, bool setAside, CancellationToken ct)
    {
        var interpreter = RunnerRequest.RunnerInterpreter(spec.Service, settings.Execution.RunnerPython);
        SlurmSandbox? onNode = null;
        if (sandbox is { IsOn: true })
        {
            try
            {
                onNode = new SlurmSandbox(sandbox.Mode, sandbox.PlanFor(spec.JobName));
            }
            catch (SandboxPathsException e)
            {
                if (sandbox.Mode == SandboxMode.On)
                    return (null, new StepOutcome.Failed(StatusTexts.SandboxNotMade, e.Message));
                log.Warning("Job #{0}: runs without a sandbox, as its directories make none ({1}); TERMINUS_SANDBOX=auto allows it", spec.JobId, e.Message);
            }
        }
        var unprepared = RunnerFiles.PrepareJobDirectory(paths, spec, RunnerRequest.ToJson(spec, settings.HostName, interpreter, settings.Execution.KillGrace), setAside, log, () =>
        {
            File.WriteAllText(paths.BatchScript, SlurmScript.Build(spec, settings.HostName, interpreter, paths, onNode));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(paths.BatchScript, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        });
        if (unprepared is not null) return (null, unprepared);

        var sbatch = await commands.RunAsync("sbatch", ["--parsable", paths.BatchScript], paths.JobDir, JobEnvironment(spec), ct).ConfigureAwait(false);
        var id = sbatch.ExitCode == 0 ? SlurmParsers.ParseSbatchId(sbatch.StdOut) : null;
        if (id is null)
        {
            var error = (sbatch.StdErr + sbatch.StdOut).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {sbatch.ExitCode}";
            return (null, new StepOutcome.Failed($"{StatusTexts.SubmissionError} ({Printable.Line(error, 300)})",
                $"sbatch exited with {sbatch.ExitCode}: {sbatch.StdErr.Trim()}"));
        }
        var record = new SlurmRecord(id, DateTime.UtcNow);
        var temp = paths.SlurmRecordFile + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(new Dictionary<string, object> { ["job_id"] = id, ["submitted"] = record.SubmittedUtc }), ct).ConfigureAwait(false);
        File.Move(temp, paths.SlurmRecordFile, overwrite: true);
        log.Info("Job #{0}: submitted to SLURM as job {1} (-N {2} -n {3} --time={4}, name {5})", spec.JobId, id, spec.Service.Nodes, spec.Service.Cores,
            SlurmScript.FormatTime(spec.Service.TimeoutMinutes), SlurmScript.JobName(settings.HostName, spec.JobId));
        return (record, null);
    }

    /// <summary>sbatch's default <c>--export=ALL</c> hands the job sbatch's environment: make that the clean service one.</summary>
    private IReadOnlyDictionary<string, string> JobEnvironment(JobSpec spec)
    {
        var env = new Dictionary<string, string>(RunnerFiles.ServiceEnvironmentFor(spec, settings.Execution));
        if (Environment.GetEnvironmentVariable("SLURM_CONF") is { } conf) env["SLURM_CONF"] = conf; // where sbatch finds the cluster
        return env;
    }

    private async Task<StepOutcome> FollowAsync(JobSpec spec, JobPaths paths, SlurmRecord record, Action<TimeSpan?> started, CancellationToken ct)
    {
        var id = record.JobId;
        var states = Channel.CreateUnbounded<SlurmJobState?>();
        var events = new RunnerEventReader(paths.StatusFile);
        var limit = TimeSpan.FromMinutes(spec.Service.TimeoutMinutes);
        var slurm = settings.Slurm;
        var running = false;
        var lastSeenAlive = record.SubmittedUtc;
        var nextMeasure = DateTime.UtcNow + LocalServiceRunner.SafetyRecheck;
        DateTime? endedSeen = null, stuckSince = null;
        string? stuckReason = null;

        using var changes = Directory.Exists(paths.JobDir) ? new DirectoryChanges(paths.JobDir) : null;
        poller.Tell(new SlurmPollerActor.Track(id, s => states.Writer.TryWrite(s)));
        try
        {
            while (true)
            {
                var polled = states.Reader.WaitToReadAsync(ct).AsTask();
                var changed = changes?.NextAsync(LocalServiceRunner.SafetyRecheck, ct) ?? Task.Delay(LocalServiceRunner.SafetyRecheck, ct);
                await Task.WhenAny(polled, changed).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                if (File.Exists(paths.ExitFile)) poller.Tell(SlurmPollerActor.Nudge.Instance); // ask SLURM now, not at the next tick

                if (events.ReadNew().Any(e => e.Status == RunnerStatus.Running) && !running) { running = true; started(null); }
                if (DateTime.UtcNow >= nextMeasure)
                {
                    nextMeasure = DateTime.UtcNow + LocalServiceRunner.SafetyRecheck;
                    if (OutputTree.SizeOf(paths.OutDir) is { } size && size > settings.Execution.MaxTarballBytes)
                    {
                        await CancelAsync(spec, id, $"out/ holds {size} bytes, more than the {settings.Execution.MaxTarballBytes} a job may upload").ConfigureAwait(false);
                        return new StepOutcome.Failed(StatusTexts.ResultsTooLarge(size, settings.Execution.MaxTarballBytes),
                            $"SLURM job {id} cancelled while running: out/ held {size} bytes");
                    }
                }
                var gotPoll = false;
                SlurmJobState? state = null;
                while (states.Reader.TryRead(out var s)) { state = s; gotPoll = true; }
                if (!gotPoll) continue;

                var now = DateTime.UtcNow;
                switch (state?.Phase)
                {
                    case SlurmPhase.Running:
                        lastSeenAlive = now;
                        if (!running) { running = true; started(null); }
                        break;
                    case SlurmPhase.Pending:
                        lastSeenAlive = now;
                        if (SlurmStates.ReasonNeverClears(state.Reason))
                        {
                            if (stuckReason != state.Reason) log.Warning("Job #{0}: SLURM job {1} is pending for a reason that will not clear by waiting: {2}", spec.JobId, id, state.Reason);
                            (stuckSince, stuckReason) = (stuckSince ?? now, state.Reason);
                            if (now - stuckSince >= slurm.StuckPendingLimit)
                            {
                                await CancelAsync(spec, id, $"pending for {state.Reason}").ConfigureAwait(false);
                                return new StepOutcome.Failed(StatusTexts.StoppedWithError($"the SLURM job {id} could not start: {state.Reason}"),
                                    $"pending for {state.Reason} since {stuckSince:u}; cancelled after {slurm.StuckPendingLimit.TotalMinutes:0} min");
                            }
                        }
                        else (stuckSince, stuckReason) = (null, null);
                        break;
                    case not null:
                        endedSeen ??= now;
                        break;
                }

                var observation = new SlurmObservation(state,
                    new RunObservation(events.All, RunnerFiles.ReadExitRecord(paths), null, false, Directory.Exists(paths.JobDir), spec.Service.TimeoutMinutes),
                    LostDeadlinePassed: state is null && now > lastSeenAlive + limit + slurm.LostGrace,
                    ExitRecordGracePassed: endedSeen is { } e && now - e >= slurm.ExitRecordGrace);
                if (state is null) log.Debug("Job #{0}: SLURM job {1} is unknown to the scheduler; waiting for it or its exit record", spec.JobId, id);
                if (SlurmVerdict.Decide(id, observation) is { } outcome)
                {
                    log.Info("Job #{0}: SLURM job {1} ended ({2}): {3}", spec.JobId, id, state?.State ?? "unknown to the scheduler", outcome);
                    if (outcome is not StepOutcome.Succeeded) RunnerFiles.LogStderrTail(log, spec, paths);
                    return outcome;
                }
            }
        }
        finally
        {
            poller.Tell(new SlurmPollerActor.Untrack(id));
        }
    }
}
