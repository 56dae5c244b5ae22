using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Akka.Event;
using Terminus.Actors.Execution.Containment;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Containment;
using Terminus.Core.Sandbox;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Sandbox;
using Terminus.Infrastructure.Storage;

namespace Terminus.Actors.Execution;

/// <summary>
/// Runs a job's service on this machine: prepares the job directory, starts the fixed runner in a session of its
/// own (output to files, clean environment, the job's token, inside the job's cgroup when the host gives one),
/// follows its status file as it changes, enforces the service's time limit and the size cap of <c>out/</c> while
/// it runs, and decides the outcome from the runner's records. Whatever the end, every process of the job
/// (<see cref="JobProcesses"/>) is ended before the outcome is returned, so packaging never races a stray writer.
/// If the daemon stops meanwhile the service is left running; a resumed job re-attaches to its runner (the pid and
/// start time its ledger recorded), or takes the outcome it left; it is started only if it never was.
/// </summary>
/// <param name="timeLimit">The service's time limit; <c>timout_mn</c> unless a test shortens it.</param>
/// <param name="cgroups">The host's cgroups for jobs; null where the daemon has none (processes are then followed as a tree).</param>
/// <param name="sandbox">The sandbox jobs run in (null: none). A job whose sandbox cannot be made fails under <c>on</c>, and
/// runs without under <c>auto</c>: the empty proof shows its runner never started, so it cannot run twice.</param>
public sealed class LocalServiceRunner(TerminusSettings settings, ILoggingAdapter log, Func<JobSpec, TimeSpan>? timeLimit = null,
    IJobCgroups? cgroups = null, JobSandbox? sandbox = null) : IStepExecutor
{
    private readonly JobSandbox _sandbox = sandbox ?? JobSandbox.Off(settings);

    /// <summary>How often the run's files are re-read when no change was signalled, and <c>out/</c> is measured.</summary>
    public static readonly TimeSpan SafetyRecheck = TimeSpan.FromSeconds(10);

    /// <summary>How often a runner that is not our child (re-attached after a restart) is checked for life.</summary>
    public static readonly TimeSpan AttachedLivenessCheck = TimeSpan.FromSeconds(1);

    public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
    {
        var spec = step.Spec;
        var paths = JobPaths.For(settings.JobDir, spec);
        var identity = step.Runner ?? new RunIdentity(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        if (step.Resume && Directory.Exists(paths.JobDir)
            && await TryResumeAsync(spec, paths, identity, control).ConfigureAwait(false) is { } resumed)
            return Ended(spec, resumed);

        var interpreter = RunnerRequest.RunnerInterpreter(spec.Service, settings.Execution.RunnerPython);
        if (!File.Exists(interpreter))
            return new StepOutcome.Failed(StatusTexts.StoppedWithError($"the interpreter of service '{spec.ServiceName}' is missing on the Terminus host"),
                $"'{interpreter}' does not exist");
        // A resumed job whose runner never started launches in its own directory; a new one sets an old one aside.
        var request = RunnerRequest.ToJson(spec, settings.HostName, interpreter, settings.Execution.KillGrace);
        if (RunnerFiles.PrepareJobDirectory(paths, spec, request, setAside: !step.Resume, log) is { } unprepared)
            return unprepared;

        IReadOnlyList<string> runner = [interpreter, paths.RunnerScript, paths.RequestFile];
        if (!_sandbox.IsOn) return Ended(spec, await LaunchAsync(spec, step, paths, identity, runner, null, control).ConfigureAwait(false));

        // No sandbox for this job: under `on` it fails; under `auto` it runs without (its runner never started in one).
        async Task<StepOutcome> WithoutSandboxAsync(string why)
        {
            if (_sandbox.Mode == SandboxMode.On) return Ended(spec, new StepOutcome.Failed(StatusTexts.SandboxNotMade, why));
            log.Warning("Job #{0}: its sandbox could not be made ({1}); TERMINUS_SANDBOX=auto runs it without one", spec.JobId, why);
            return Ended(spec, await LaunchAsync(spec, step, paths, identity, runner, null, control).ConfigureAwait(false));
        }

        SandboxedLaunch sandboxed;
        try
        {
            sandboxed = _sandbox.Prepare(spec.JobName, runner);
        }
        catch (Exception e) when (e is SandboxPathsException or IOException or UnauthorizedAccessException)
        {
            return await WithoutSandboxAsync(e.Message).ConfigureAwait(false);
        }
        var outcome = await LaunchAsync(spec, step, paths, identity, sandboxed.Command, sandboxed.ProofFile, control).ConfigureAwait(false);
        if (_sandbox.WasMade(spec.JobName) != false || control.Stop.IsCancellationRequested) return Ended(spec, outcome);
        // The runner never started (the proof is empty): bwrap could not make the sandbox, and said why on stderr.
        return await WithoutSandboxAsync(BwrapSaid(paths)).ConfigureAwait(false);
    }

    /// <summary>Makes the job's cgroup, starts <paramref name="command"/> in it through the launch script and follows the run.</summary>
    private async Task<StepOutcome> LaunchAsync(JobSpec spec, RunStep step, JobPaths paths, RunIdentity identity, IReadOnlyList<string> command,
        string? proofFile, StepControl control)
    {
        IJobCgroup? cgroup;
        try
        {
            cgroup = cgroups?.Create(CgroupKey(spec, step), spec.Service);
        }
        catch (CgroupException e)
        {
            return new StepOutcome.Failed(StatusTexts.StoppedWithError("the job's control group could not be created on the Terminus host"), e.Message);
        }

        using var changes = new DirectoryChanges(paths.JobDir);
        Process process;
        try
        {
            process = Start(spec, paths, command, proofFile, identity, cgroup);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            RemoveCgroup(spec, cgroup);
            return new StepOutcome.Failed(StatusTexts.StoppedWithError("the job could not be started on the Terminus host"), e.Message);
        }
        using (process)
        {
            var ticks = ProcessTable.Read(process.Id)?.StartTicks ?? 0;
            identity = identity with { Pid = process.Id, StartTicks = ticks, Cgroup = cgroup?.Key };
            control.Launched(new StepLaunched(spec.JobId, process.Id, ticks, cgroup?.Key));
            log.Info("Job #{0}: runner started (pid {1}, {2}), time limit {3} min, {4}, {5}", spec.JobId, process.Id, string.Join(' ', command.TakeLast(3)),
                spec.Service.TimeoutMinutes, cgroup is null ? "followed as a process tree" : $"in cgroup {cgroup.Key}",
                proofFile is null ? "no sandbox" : "in its sandbox");
            var run = new RunProcess(process.Id, process.WaitForExitAsync(CancellationToken.None), () => process.HasExited ? process.ExitCode : null);
            return await FollowAsync(spec, paths, run, new JobProcesses(identity, cgroup), changes, Limit(spec), control).ConfigureAwait(false);
        }
    }

    /// <summary>What bwrap said when it could not make the sandbox (its lines start with "bwrap:"), or the end of stderr.</summary>
    private static string BwrapSaid(JobPaths paths)
    {
        var tail = RunnerRecords.Tail(paths.StderrFile);
        var said = tail.Split(" | ").LastOrDefault(l => l.StartsWith("bwrap:", StringComparison.Ordinal)) ?? tail;
        return said.Length > 0 ? said : "bwrap ended before the runner started, and said nothing";
    }

    /// <summary>The outcome, once the run is over: the sandbox's proof and /tmp are no longer needed, and a failure caused by the
    /// read-only data directory is named as such in the log (the service's own error goes to the portal).</summary>
    private StepOutcome Ended(JobSpec spec, StepOutcome outcome)
    {
        _sandbox.Release(spec.JobName);
        if (outcome is StepOutcome.Failed failed && _sandbox.IsOn && _sandbox.DataReadOnly
            && $"{failed.StatusText} {failed.Detail}".Contains(ReadOnlyFileSystem, StringComparison.OrdinalIgnoreCase))
            log.Warning("Job #{0}: the service tried to write where the sandbox allows no writing; the data directory {1} is read-only in the sandbox "
                + "(TERMINUS_SANDBOX_DATA=rw makes it writable)", spec.JobId, _sandbox.DataDir);
        return outcome;
    }

    /// <summary>strerror(EROFS): what a write into a read-only mount reports, in Python and in the shell alike.</summary>
    private const string ReadOnlyFileSystem = "Read-only file system";

    private TimeSpan Limit(JobSpec spec) => timeLimit?.Invoke(spec) ?? TimeSpan.FromMinutes(spec.Service.TimeoutMinutes);

    /// <summary>The cgroup's key: one per run of a job, so a new run never inherits an old run's processes.</summary>
    private static string CgroupKey(JobSpec spec, RunStep step) => $"job-{spec.JobId}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(step.Runner?.Token ?? "")))[..8]}";

    /// <summary>
    /// The outcome of a run that already ended, or of following one still alive; null when the runner never started
    /// (no record of it and no process of the job), so launching it now cannot run the service twice.
    /// </summary>
    private async Task<StepOutcome?> TryResumeAsync(JobSpec spec, JobPaths paths, RunIdentity identity, StepControl control)
    {
        using var changes = new DirectoryChanges(paths.JobDir);
        var cgroup = identity.Cgroup is { } key ? cgroups?.Open(key) : null;
        if (identity.Pid is null && FindRunnerByToken(paths, identity) is { } found)
        {
            // Launched just before the daemon died, before the launch reached the ledger: its token proves it.
            identity = identity with { Pid = found.Pid, StartTicks = found.StartTicks };
            control.Launched(new StepLaunched(spec.JobId, found.Pid, found.StartTicks, identity.Cgroup));
        }
        var processes = new JobProcesses(identity, cgroup);
        var record = RunnerFiles.ReadRunnerRecord(paths);
        // Launched, but in a sandbox that was never made (its proof is empty): the runner never started either.
        var neverStarted = identity.Pid is null || _sandbox.WasMade(spec.JobName) == false;
        if (neverStarted && record is null && !File.Exists(paths.ExitFile) && processes.Find(sweep: true).Count == 0) return null;

        if (processes.RunnerAlive && !File.Exists(paths.ExitFile))
        {
            var elapsed = ProcessTable.Age(identity.StartTicks!.Value) ?? TimeSpan.Zero;
            var remaining = Limit(spec) - elapsed;
            log.Info("Job #{0}: re-attached to its running service (runner pid {1}, {2:0} s left of its time limit)", spec.JobId, identity.Pid,
                Math.Max(0, remaining.TotalSeconds));
            var run = new RunProcess(identity.Pid!.Value, WaitUntilGoneAsync(identity.Pid.Value, identity.StartTicks), () => null);
            return await FollowAsync(spec, paths, run, processes, changes, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, control)
                .ConfigureAwait(false);
        }

        // The runner ended while the daemon was away: its exit record (or its last events) tell how.
        var events = new RunnerEventReader(paths.StatusFile);
        if (events.ReadNew().Any(e => e.Status == RunnerStatus.Running)) control.Started();
        var exit = RunnerFiles.ReadExitRecord(paths);
        log.Info("Job #{0}: its runner ended while Terminus was not following it: {1}", spec.JobId, exit is null ? "no exit record" : $"exit record '{exit.Status}'");
        await EndProcessesAsync(spec, processes).ConfigureAwait(false);
        return Verdict(spec, paths, events, exit, null, false, processes);
    }

    /// <summary>A live process that carries the job's token and runs its runner script: the runner, proven by the token.</summary>
    private static ProcStat? FindRunnerByToken(JobPaths paths, RunIdentity identity)
    {
        var entry = $"{RunIdentity.TokenVariable}={identity.Token}";
        var script = Encoding.UTF8.GetBytes(paths.RunnerScript + "\0");
        foreach (var p in ProcessTable.All())
        {
            if (!ProcessTable.HasEnvironmentEntry(p.Pid, entry)) continue;
            try
            {
                if (File.ReadAllBytes($"/proc/{p.Pid}/cmdline").AsSpan().IndexOf(script) >= 0) return p;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }

    private static async Task WaitUntilGoneAsync(int pid, long? startTicks)
    {
        while (ProcessTable.IsAlive(pid, startTicks)) await Task.Delay(AttachedLivenessCheck).ConfigureAwait(false);
    }

    private Process Start(JobSpec spec, JobPaths paths, IReadOnlyList<string> command, string? proofFile, RunIdentity identity, IJobCgroup? cgroup)
    {
        var psi = new ProcessStartInfo(LocalLaunch.Shell) { WorkingDirectory = paths.JobDir, UseShellExecute = false };
        foreach (var argument in LocalLaunch.Arguments(paths.StdoutFile, paths.StderrFile, proofFile, cgroup?.ProcsFiles ?? [], command))
            psi.ArgumentList.Add(argument);
        psi.Environment.Clear();
        foreach (var (name, value) in RunnerFiles.ServiceEnvironmentFor(spec, settings.Execution)) psi.Environment[name] = value;
        psi.Environment[RunIdentity.TokenVariable] = identity.Token;
        return Process.Start(psi) ?? throw new InvalidOperationException($"{LocalLaunch.Shell} did not start");
    }

    /// <summary>The runner being followed: our child, or a process re-attached by pid.</summary>
    private sealed record RunProcess(int Pid, Task Exited, Func<int?> ExitCode);

    private async Task<StepOutcome> FollowAsync(JobSpec spec, JobPaths paths, RunProcess run, JobProcesses processes, DirectoryChanges changes,
        TimeSpan limit, StepControl control)
    {
        var events = new RunnerEventReader(paths.StatusFile);
        var timeUp = Task.Delay(limit, control.Shutdown);
        var stop = Task.Delay(Timeout.Infinite, control.Stop);
        var running = false;
        var killed = false;
        var nextMeasure = DateTime.UtcNow + SafetyRecheck;

        void Observe()
        {
            foreach (var e in events.ReadNew())
            {
                if (e.Status == RunnerStatus.Running && !running)
                {
                    running = true;
                    control.Started();
                }
                else if (RunnerStatus.IsFinal(e.Status))
                    log.Info("Job #{0}: runner reports {1}: {2}", spec.JobId, e.Status, e.Message);
            }
        }

        while (!run.Exited.IsCompleted)
        {
            Observe();
            var next = changes.NextAsync(SafetyRecheck, control.Shutdown);
            var first = await Task.WhenAny(run.Exited, timeUp, stop, next).ConfigureAwait(false);
            if (control.Shutdown.IsCancellationRequested)
            {
                log.Info("Job #{0}: the daemon is stopping; the service (runner pid {1}) keeps running", spec.JobId, run.Pid);
                control.Shutdown.ThrowIfCancellationRequested();
            }
            if (first == stop)
            {
                await EndProcessesAsync(spec, processes, "the job is stopped").ConfigureAwait(false);
                return Verdict(spec, paths, events, RunnerFiles.ReadExitRecord(paths), run.ExitCode(), killed: true, processes);
            }
            if (first == timeUp && !killed)
            {
                log.Warning("Job #{0}: time limit of {1} min reached; stopping its processes", spec.JobId, spec.Service.TimeoutMinutes);
                killed = true;
                await EndProcessesAsync(spec, processes, "time limit").ConfigureAwait(false);
            }
            if (!Directory.Exists(paths.JobDir)) break;
            if (DateTime.UtcNow >= nextMeasure && !killed)
            {
                nextMeasure = DateTime.UtcNow + SafetyRecheck;
                CapLogs(spec, paths);
                if (OutputTree.SizeOf(paths.OutDir) is { } size && size > settings.Execution.MaxTarballBytes)
                {
                    log.Warning("Job #{0}: out/ holds {1} bytes, more than the {2} bytes a job may upload; stopping it", spec.JobId, size,
                        settings.Execution.MaxTarballBytes);
                    await EndProcessesAsync(spec, processes, "out/ passed the size cap").ConfigureAwait(false);
                    RemoveCgroup(spec, processes.Cgroup);
                    return new StepOutcome.Failed(StatusTexts.ResultsTooLarge(size, settings.Execution.MaxTarballBytes),
                        $"stopped while running: out/ held {size} bytes");
                }
            }
        }
        Observe();

        // Whatever the service left running ends with the job, before anything reads its out/.
        await EndProcessesAsync(spec, processes).ConfigureAwait(false);
        CapLogs(spec, paths);
        return Verdict(spec, paths, events, RunnerFiles.ReadExitRecord(paths), run.ExitCode(), killed, processes);
    }

    /// <summary>Keeps the tails of stdout.log and stderr.log within TERMINUS_JOB_LOG_MAX_MB: a chatty service cannot fill the disk.</summary>
    private void CapLogs(JobSpec spec, JobPaths paths)
    {
        foreach (var file in new[] { paths.StdoutFile, paths.StderrFile })
            if (LogCap.Enforce(file, settings.Execution.JobLogMaxBytes) is var dropped and > 0)
                log.Warning("Job #{0}: {1} passed {2} bytes: its first {3} bytes were dropped, its tail kept", spec.JobId, Path.GetFileName(file),
                    settings.Execution.JobLogMaxBytes, dropped);
    }

    private StepOutcome Verdict(JobSpec spec, JobPaths paths, RunnerEventReader events, ExitRecord? exit, int? exitCode, bool killed, JobProcesses processes)
    {
        var cgroup = processes.Cgroup;
        var outcome = RunVerdict.Decide(new RunObservation(events.All, exit, exitCode, killed, Directory.Exists(paths.JobDir), spec.Service.TimeoutMinutes,
            cgroup?.OomKills() ?? 0, cgroup?.MemoryLimitMb));
        if (outcome is not StepOutcome.Succeeded) RunnerFiles.LogStderrTail(log, spec, paths);
        RemoveCgroup(spec, cgroup);
        return outcome;
    }

    private void RemoveCgroup(JobSpec spec, IJobCgroup? cgroup)
    {
        try { cgroup?.Remove(); }
        catch (CgroupException e)
        {
            log.Warning("Job #{0}: could not remove its cgroup {1}: {2}", spec.JobId, cgroup!.Key, e.Message);
        }
    }

    /// <summary>Ends every process of the job; <paramref name="why"/> names a stop, null the leftovers of a run that ended.</summary>
    private async Task EndProcessesAsync(JobSpec spec, JobProcesses processes, string? why = null)
    {
        var ended = await processes.EndAsync(settings.Execution.KillGrace, log, $"Job #{spec.JobId}").ConfigureAwait(false);
        if (why is not null) log.Info("Job #{0}: {1}: {2} process(es) of the job stopped", spec.JobId, why, ended);
        else if (ended > 0) log.Info("Job #{0}: stopped {1} process(es) the service left running", spec.JobId, ended);
    }
}
