using System.Collections;
using System.ComponentModel;
using System.Diagnostics;
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
/// meanwhile the service is left running: it is not the daemon's to kill.
/// </summary>
/// <param name="timeLimit">The service's time limit; <c>timout_mn</c> unless a test shortens it.</param>
public sealed class LocalServiceRunner(TerminusSettings settings, ILoggingAdapter log, Func<JobSpec, TimeSpan>? timeLimit = null) : IStepExecutor
{
    /// <summary>How often the run's files are re-read when no change was signalled (file systems without inotify).</summary>
    public static readonly TimeSpan SafetyRecheck = TimeSpan.FromSeconds(10);

    public async Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken)
    {
        var spec = step.Spec;
        var paths = JobPaths.For(settings.JobDir, spec);
        var interpreter = RunnerRequest.RunnerInterpreter(spec.Service, settings.Execution.RunnerPython);
        if (!File.Exists(interpreter))
            return new StepOutcome.Failed(StatusTexts.StoppedWithError($"the interpreter of service '{spec.ServiceName}' is missing on the Terminus host"),
                $"'{interpreter}' does not exist");
        try
        {
            if (JobDirectories.Prepare(paths, RunnerRequest.ToJson(spec, settings.HostName, interpreter)) is { } previous)
                log.Warning("Job #{0}: an earlier directory of this job was moved to {1}", spec.JobId, previous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StepOutcome.Failed(StatusTexts.StoppedWithError("the job directory could not be prepared on the Terminus host"), e.Message);
        }

        using var changes = new DirectoryChanges(paths.JobDir);
        Process process;
        try
        {
            process = Start(paths, interpreter, spec.Service.Interpreter);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return new StepOutcome.Failed(StatusTexts.StoppedWithError("the job could not be started on the Terminus host"), e.Message);
        }
        using (process)
        {
            log.Info("Job #{0}: runner started (pid {1}, {2} {3}), time limit {4} min", spec.JobId, process.Id, interpreter,
                paths.RunnerScript, spec.Service.TimeoutMinutes);
            return await FollowAsync(spec, paths, process, changes, started, cancellationToken).ConfigureAwait(false);
        }
    }

    private Process Start(JobPaths paths, string interpreter, string serviceInterpreter)
    {
        var psi = new ProcessStartInfo(LocalLaunch.Shell) { WorkingDirectory = paths.JobDir, UseShellExecute = false };
        foreach (var argument in LocalLaunch.Arguments(paths.StdoutFile, paths.StderrFile, interpreter, paths.RunnerScript, paths.RequestFile))
            psi.ArgumentList.Add(argument);
        psi.Environment.Clear();
        foreach (var (name, value) in ServiceEnvironment.Build(DaemonEnvironment(), serviceInterpreter, settings.Execution.ServiceEnvironment))
            psi.Environment[name] = value;
        return Process.Start(psi) ?? throw new InvalidOperationException($"{LocalLaunch.Shell} did not start");
    }

    private static Dictionary<string, string?> DaemonEnvironment()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env[(string)e.Key] = e.Value as string;
        return env;
    }

    private async Task<StepOutcome> FollowAsync(JobSpec spec, JobPaths paths, Process process, DirectoryChanges changes,
        Action started, CancellationToken cancellationToken)
    {
        var events = new RunnerEventReader(paths.StatusFile);
        var exited = process.WaitForExitAsync(CancellationToken.None);
        var limit = timeLimit?.Invoke(spec) ?? TimeSpan.FromMinutes(spec.Service.TimeoutMinutes);
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

        while (!exited.IsCompleted)
        {
            Observe();
            var next = changes.NextAsync(SafetyRecheck, cancellationToken);
            var first = await Task.WhenAny(exited, timeUp, next).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                log.Info("Job #{0}: the daemon is stopping; the service (pid {1}) keeps running", spec.JobId, process.Id);
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (first == timeUp)
            {
                log.Warning("Job #{0}: time limit of {1} min reached; stopping its processes", spec.JobId, spec.Service.TimeoutMinutes);
                await KillGroupAsync(process, exited).ConfigureAwait(false);
                killed = true;
            }
            if (!Directory.Exists(paths.JobDir)) break;
        }
        Observe();

        // Whatever the service left behind in its process group ends with the job.
        if (process.HasExited && ProcessGroups.SignalGroup(process.Id, ProcessGroups.SigKill))
            log.Info("Job #{0}: killed processes the service left running", spec.JobId);
        var exitRecord = File.Exists(paths.ExitFile) ? RunnerRecords.ParseExit(await ReadAsync(paths.ExitFile).ConfigureAwait(false)) : null;
        var outcome = RunVerdict.Decide(new RunObservation(events.All, exitRecord, process.HasExited ? process.ExitCode : null,
            killed, Directory.Exists(paths.JobDir), spec.Service.TimeoutMinutes));
        if (outcome is not StepOutcome.Succeeded)
        {
            var stderr = RunnerRecords.Tail(paths.StderrFile);
            if (stderr.Length > 0) log.Warning("Job #{0}: end of the service's stderr: {1}", spec.JobId, stderr);
        }
        if (!process.HasExited) // the job directory vanished under a live run
            await KillGroupAsync(process, exited).ConfigureAwait(false);
        return outcome;
    }

    private async Task KillGroupAsync(Process process, Task exited)
    {
        var pid = process.Id;
        var grouped = await ProcessGroups.WaitUntilGroupLeaderAsync(pid, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        void Send(int signal) { if (grouped) ProcessGroups.SignalGroup(pid, signal); else ProcessGroups.Signal(pid, signal); }
        Send(ProcessGroups.SigTerm);
        if (await Task.WhenAny(exited, Task.Delay(settings.Execution.KillGrace)).ConfigureAwait(false) == exited) return;
        log.Warning("Runner pid {0} still alive {1} s after SIGTERM: SIGKILL", pid, settings.Execution.KillGrace.TotalSeconds);
        Send(ProcessGroups.SigKill);
        await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
    }

    private static async Task<string> ReadAsync(string path)
    {
        try { return await File.ReadAllTextAsync(path).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}
