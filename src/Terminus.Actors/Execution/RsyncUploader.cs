using System.ComponentModel;
using System.Diagnostics;
using Akka.Event;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Ssh;

namespace Terminus.Actors.Execution;

/// <summary>
/// Uploads a job's tarball to the portal's storage with rsync over the daemon user's SSH alias (0.7's command
/// with batch mode, timeouts and a hidden partial file). A network failure (storage host down, connection
/// dropped) is retried with backoff for a while, resuming from the partial file, before the job fails. rsync's
/// output goes to <c>rsync.log</c> in the job directory and, on failure, its last lines to the daemon log. The rsyncs
/// themselves are run by one <see cref="RsyncBatcher"/> for every job (one instance serves the whole upload pool), at
/// most <paramref name="maxRuns"/> at once, each through one of the daemon's ssh master connections (no handshake): small
/// tarballs that wait for a connection together share the next rsync.
/// </summary>
public sealed class RsyncUploader(string jobRoot, string sshAlias, ExecutionSettings execution, ILoggingAdapter log, SshMasterPool? masters = null,
    int maxRuns = 4) : IStepExecutor
{
    private readonly RsyncBatcher _rsync = new(sshAlias, execution, log, maxRuns, masters);

    public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
    {
        var cancellationToken = control.Any;
        var paths = JobPaths.For(jobRoot, step.Spec);
        if (!Directory.Exists(paths.JobDir))
            return new StepOutcome.Failed(StatusTexts.JobDirRemoved, $"{paths.JobDir} no longer exists");
        if (!File.Exists(paths.Tarball))
            return new StepOutcome.Failed(StatusTexts.UploadError, $"{paths.Tarball} does not exist");

        var size = new FileInfo(paths.Tarball).Length;
        var limit = JobTimeouts.ForUpload(size, execution.UploadBandwidthKbps, execution.UploadTimeout, execution.UploadRetryWindow);
        var started = false;
        var startedAt = 0L;
        var retryUntil = DateTime.MaxValue;
        void Started()
        {
            // The deadline runs from the first rsync that carries the file, not while it waits for a free connection.
            if (started) return;
            started = true;
            startedAt = Stopwatch.GetTimestamp();
            retryUntil = DateTime.UtcNow + execution.UploadRetryWindow;
            log.Info("{0}: uploading {1} ({2} bytes) to {3}: (deadline {4:0} s)", paths.JobName, Path.GetFileName(paths.Tarball), size, sshAlias, limit.TotalSeconds);
            control.Started(limit);
        }
        var alone = false;
        for (var attempt = 1; ; attempt++)
        {
            var run = await _rsync.UploadAsync(paths.Tarball, size, paths.UploadLog, alone, Started, cancellationToken).ConfigureAwait(false);
            if (run.ExitCode == 0)
            {
                log.Info("{0}: uploaded {1} to {2}:{3}", paths.JobName, Path.GetFileName(paths.Tarball), sshAlias,
                    attempt > 1 ? $" (attempt {attempt})" : "");
                Telemetry.DaemonMetrics.UploadBytes.Inc(size);
                Telemetry.DaemonMetrics.UploadDuration.Observe(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
                return new StepOutcome.Succeeded();
            }
            var output = RunnerRecords.Tail(paths.UploadLog, maxLines: 4);
            var why = $"rsync to '{sshAlias}:' failed: {RsyncCommand.Explain(run.ExitCode, output)}: {output}";
            if (run.Files > 1 && !RsyncCommand.IsTransient(run.ExitCode))
            {
                // The rsync carried other jobs' files too, and any of them may be the cause: this one goes again, alone, at once.
                log.Warning("{0}: {1} (an rsync of {2} files); sending it again on its own", paths.JobName, why, run.Files);
                alone = true;
                Telemetry.DaemonMetrics.UploadRetries.Inc();
                continue;
            }
            var delay = RsyncCommand.RetryDelay(attempt);
            if (!RsyncCommand.IsTransient(run.ExitCode) || DateTime.UtcNow + delay > retryUntil)
                return new StepOutcome.Failed(StatusTexts.UploadError, attempt > 1 ? $"{why} (after {attempt} attempts)" : why);
            log.Warning("{0}: {1}; trying again in {2} s", paths.JobName, why, delay.TotalSeconds);
            Telemetry.DaemonMetrics.UploadRetries.Inc();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }
}
