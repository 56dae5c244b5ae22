using Akka.Event;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Execution;

/// <summary>
/// What the local and the SLURM runner share: the job directory they prepare for <c>terminus_runner.py</c>, the clean
/// environment the service gets, and the runner's records they read back. Unreadable records read as absent.
/// </summary>
internal static class RunnerFiles
{
    /// <summary>
    /// Prepares the job directory with the runner's request, then runs <paramref name="alsoWrite"/> (more files of the
    /// launch); the failure to report when the directory cannot be written, else null.
    /// </summary>
    public static StepOutcome.Failed? PrepareJobDirectory(JobPaths paths, JobSpec spec, byte[] request, bool setAside, ILoggingAdapter log,
        Action? alsoWrite = null)
    {
        try
        {
            if (JobDirectories.Prepare(paths, request, setAside) is { } previous)
                log.Warning("Job #{0}: an earlier directory of this job was moved to {1}", spec.JobId, previous);
            alsoWrite?.Invoke();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StepOutcome.Failed(StatusTexts.StoppedWithError("the job directory could not be prepared on the Terminus host"), e.Message);
        }
    }

    /// <summary>The environment the service runs in, built from the daemon's (see <see cref="ServiceEnvironment"/>).</summary>
    public static IReadOnlyDictionary<string, string> ServiceEnvironmentFor(JobSpec spec, ExecutionSettings execution) =>
        ServiceEnvironment.Build(SettingsLoader.ProcessEnvironment(), spec.Service.Interpreter, execution.ServiceEnvironment);

    public static RunnerRecord? ReadRunnerRecord(JobPaths paths) =>
        ReadText(paths.RunnerRecordFile) is { } json ? RunnerRecords.ParseRunner(json) : null;

    public static ExitRecord? ReadExitRecord(JobPaths paths) =>
        ReadText(paths.ExitFile) is { } json ? RunnerRecords.ParseExit(json) : null;

    /// <summary>After a failed run, the end of the service's stderr goes to the log: it usually says why.</summary>
    public static void LogStderrTail(ILoggingAdapter log, JobSpec spec, JobPaths paths)
    {
        if (RunnerRecords.Tail(paths.StderrFile) is { Length: > 0 } stderr)
            log.Warning("Job #{0}: end of the service's stderr: {1}", spec.JobId, stderr);
    }

    private static string? ReadText(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
