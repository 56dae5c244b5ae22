using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Akka.Event;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Execution;

/// <summary>
/// Runs a job's service on this machine: prepares the job directory, starts the fixed runner in a session of its
/// own (output to files, clean environment), follows its status file as it changes, enforces the service's time
/// limit on the whole process group, and decides the outcome from the runner's records. If the daemon stops
/// meanwhile the service is left running: it is not the daemon's to kill. A resumed job re-attaches to its runner
/// (recognised by pid and start time), or takes the outcome it left; it is started only if it never was.
/// </summary>
/// <param name="timeLimit">The service's time limit; <c>timout_mn</c> unless a test shortens it.</param>
public sealed class LocalServiceRunner(TerminusSettings settings, ILoggingAdapter log, Func<JobSpec, TimeSpan>? timeLimit = null) : IStepExecutor
{
    /// <summary>How often the run's files are re-read when no change was signalled (file systems without inotify).</summary>
    public static readonly TimeSpan SafetyRecheck = TimeSpan.FromSeconds(10);

    /// <summary>How often a runner that is not our child (re-attached after a restart) is checked for life.</summary>
    public static readonly TimeSpan AttachedLivenessCheck = TimeSpan.FromSeconds(1);

    public async Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken)
    {
        var spec = step.Spec;
        var paths = JobPaths.For(settings.JobDir, spec);
        if (step.Resume && Directory.Exists(paths.JobDir)
            && await TryResumeAsync(spec, paths, started, cancellationToken).ConfigureAwait(false) is { } resumed)
            return resumed;

        var interpreter = RunnerRequest.RunnerInterpreter(spec.Service, settings.Execution.RunnerPython);
        if (!File.Exists(interpreter))
            return new StepOutcome.Failed(StatusTexts.StoppedWithError($"the interpreter of service '{spec.ServiceName}' is missing on the Terminus host"),
                $"'{interpreter}' does not exist");
        // A resumed job whose runner never started launches in its own directory; a new one sets an old one aside.
        if (RunnerFiles.PrepareJobDirectory(paths, spec, RunnerRequest.ToJson(spec, settings.HostName, interpreter), setAside: !step.Resume, log) is { } unprepared)
            return unprepared;

        using var changes = new DirectoryChanges(paths.JobDir);
        Process process;
        try
        {
            process = Start(spec, paths, interpreter);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return new StepOutcome.Failed(StatusTexts.StoppedWithError("the job could not be started on the Terminus host"), e.Message);
        }
        using (process)
        {
            log.Info("Job #{0}: runner started (pid {1}, {2} {3}), time limit {4} min", spec.JobId, process.Id, interpreter,
                paths.RunnerScript, spec.Service.TimeoutMinutes);
            var run = new RunProcess(process.Id, process.WaitForExitAsync(CancellationToken.None), () => process.HasExited ? process.ExitCode : null);
            return await FollowAsync(spec, paths, run, changes, Limit(spec), started, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Limit(JobSpec spec) => timeLimit?.Invoke(spec) ?? TimeSpan.FromMinutes(spec.Service.TimeoutMinutes);

    /// <summary>
    /// The outcome of a run that already ended, or of following one still alive; null when the runner never started
    /// (no record of it and no process running it), so launching it now cannot run the service twice.
    /// </summary>
    private async Task<StepOutcome?> TryResumeAsync(JobSpec spec, JobPaths paths, Action started, CancellationToken cancellationToken)
    {
        using var changes = new DirectoryChanges(paths.JobDir);
        var record = RunnerFiles.ReadRunnerRecord(paths);
        if (record is null && FindRunnerProcess(paths) is { } starting)
        {
            log.Info("Job #{0}: its runner (pid {1}) is starting; waiting for its record", spec.JobId, starting);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((record = RunnerFiles.ReadRunnerRecord(paths)) is null && ProcessGroups.IsAlive(starting, null) && DateTime.UtcNow < deadline)
                await changes.NextAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
        if (record is null && !File.Exists(paths.ExitFile)) return null;

        var sameHost = record is null || record.HostName.Length == 0 || record.HostName == System.Net.Dns.GetHostName();
        if (record is not null && !File.Exists(paths.ExitFile) && sameHost && ProcessGroups.IsAlive(record.Pid, record.StartTicks))
        {
            var elapsed = record.StartedUtc is { } t ? DateTime.UtcNow - t : TimeSpan.Zero;
            var remaining = Limit(spec) - elapsed;
            log.Info("Job #{0}: re-attached to its running service (runner pid {1}, {2:0} s left of its time limit)", spec.JobId, record.Pid,
                Math.Max(0, remaining.TotalSeconds));
            var run = new RunProcess(record.Pid, WaitUntilGoneAsync(record.Pid, record.StartTicks), () => null);
            return await FollowAsync(spec, paths, run, changes, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, started, cancellationToken)
                .ConfigureAwait(false);
        }

        // The runner ended while the daemon was away: its exit record (or its last events) tell how.
        var events = new RunnerEventReader(paths.StatusFile);
        if (events.ReadNew().Any(e => e.Status == RunnerStatus.Running)) started();
        var exit = RunnerFiles.ReadExitRecord(paths);
        var outcome = RunVerdict.Decide(new RunObservation(events.All, exit, null, false, Directory.Exists(paths.JobDir), spec.Service.TimeoutMinutes));
        log.Info("Job #{0}: its runner ended while Terminus was not following it: {1}", spec.JobId, exit is null ? "no exit record" : $"exit record '{exit.Status}'");
        if (record is not null && ProcessGroups.SignalGroup(record.ProcessGroup, ProcessGroups.SigKill))
            log.Info("Job #{0}: killed processes the service left running", spec.JobId);
        return outcome;
    }

    /// <summary>A live process whose command line runs this job's runner (launched, but not yet recorded itself).</summary>
    private static int? FindRunnerProcess(JobPaths paths)
    {
        var needle = Encoding.UTF8.GetBytes(paths.RunnerScript + "\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "cmdline")).AsSpan().IndexOf(needle) >= 0 && ProcessGroups.IsAlive(pid, null)) return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }

    private static async Task WaitUntilGoneAsync(int pid, long? startTicks)
    {
        while (ProcessGroups.IsAlive(pid, startTicks)) await Task.Delay(AttachedLivenessCheck).ConfigureAwait(false);
    }

    private Process Start(JobSpec spec, JobPaths paths, string interpreter)
    {
        var psi = new ProcessStartInfo(LocalLaunch.Shell) { WorkingDirectory = paths.JobDir, UseShellExecute = false };
        foreach (var argument in LocalLaunch.Arguments(paths.StdoutFile, paths.StderrFile, interpreter, paths.RunnerScript, paths.RequestFile))
            psi.ArgumentList.Add(argument);
        psi.Environment.Clear();
        foreach (var (name, value) in RunnerFiles.ServiceEnvironmentFor(spec, settings.Execution)) psi.Environment[name] = value;
        return Process.Start(psi) ?? throw new InvalidOperationException($"{LocalLaunch.Shell} did not start");
    }

    /// <summary>The runner being followed: our child, or a process re-attached by pid.</summary>
    private sealed record RunProcess(int Pid, Task Exited, Func<int?> ExitCode);

    private async Task<StepOutcome> FollowAsync(JobSpec spec, JobPaths paths, RunProcess run, DirectoryChanges changes, TimeSpan limit,
        Action started, CancellationToken cancellationToken)
    {
        var events = new RunnerEventReader(paths.StatusFile);
        var timeUp = Task.Delay(limit, cancellationToken);
        var running = false;
        var killed = false;

        void Observe()
        {
            foreach (var e in events.ReadNew())
            {
                if (e.Status == RunnerStatus.Running && !running)
                {
                    running = true;
                    started();
                }
                else if (RunnerStatus.IsFinal(e.Status))
                    log.Info("Job #{0}: runner reports {1}: {2}", spec.JobId, e.Status, e.Message);
            }
        }

        while (!run.Exited.IsCompleted)
        {
            Observe();
            var next = changes.NextAsync(SafetyRecheck, cancellationToken);
            var first = await Task.WhenAny(run.Exited, timeUp, next).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                log.Info("Job #{0}: the daemon is stopping; the service (runner pid {1}) keeps running", spec.JobId, run.Pid);
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (first == timeUp && !killed)
            {
                log.Warning("Job #{0}: time limit of {1} min reached; stopping its processes", spec.JobId, spec.Service.TimeoutMinutes);
                await KillGroupAsync(run).ConfigureAwait(false);
                killed = true;
            }
            if (!Directory.Exists(paths.JobDir)) break;
        }
        Observe();

        // Whatever the service left behind in its process group ends with the job.
        if (run.Exited.IsCompleted && ProcessGroups.SignalGroup(run.Pid, ProcessGroups.SigKill))
            log.Info("Job #{0}: killed processes the service left running", spec.JobId);
        var outcome = RunVerdict.Decide(new RunObservation(events.All, RunnerFiles.ReadExitRecord(paths), run.ExitCode(),
            killed, Directory.Exists(paths.JobDir), spec.Service.TimeoutMinutes));
        if (outcome is not StepOutcome.Succeeded) RunnerFiles.LogStderrTail(log, spec, paths);
        if (!run.Exited.IsCompleted) // the job directory vanished under a live run
            await KillGroupAsync(run).ConfigureAwait(false);
        return outcome;
    }

    private async Task KillGroupAsync(RunProcess run)
    {
        var pid = run.Pid;
        var grouped = await ProcessGroups.WaitUntilGroupLeaderAsync(pid, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        void Send(int signal) { if (grouped) ProcessGroups.SignalGroup(pid, signal); else ProcessGroups.Signal(pid, signal); }
        Send(ProcessGroups.SigTerm);
        if (await Task.WhenAny(run.Exited, Task.Delay(settings.Execution.KillGrace)).ConfigureAwait(false) == run.Exited) return;
        log.Warning("Runner pid {0} still alive {1} s after SIGTERM: SIGKILL", pid, settings.Execution.KillGrace.TotalSeconds);
        Send(ProcessGroups.SigKill);
        await Task.WhenAny(run.Exited, Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
    }
}
