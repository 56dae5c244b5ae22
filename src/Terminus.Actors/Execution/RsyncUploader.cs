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
/// output goes to <c>rsync.log</c> in the job directory and, on failure, its last lines to the daemon log. With the
/// daemon's ssh master connections, the upload borrows one and rsync's ssh goes through it (no handshake); a failure
/// through it has the master checked.
/// </summary>
public sealed class RsyncUploader(string jobRoot, string sshAlias, ExecutionSettings execution, ILoggingAdapter log, SshMasterPool? masters = null)
    : IStepExecutor
{
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
        log.Info("{0}: uploading {1} ({2} bytes) to {3}: (deadline {4:0} s)", paths.JobName, Path.GetFileName(paths.Tarball), size, sshAlias, limit.TotalSeconds);
        control.Started(limit);
        var retryUntil = DateTime.UtcNow + execution.UploadRetryWindow;
        using var lease = masters is null ? null : await masters.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var master = lease?.Master;
        for (var attempt = 1; ; attempt++)
        {
            var controlPath = master is null ? null : await master.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var code = await RunRsyncAsync(paths, controlPath, cancellationToken).ConfigureAwait(false);
            if (code == 0)
            {
                log.Info("{0}: uploaded {1} to {2}:{3}", paths.JobName, Path.GetFileName(paths.Tarball), sshAlias,
                    attempt > 1 ? $" (attempt {attempt})" : "");
                return new StepOutcome.Succeeded();
            }
            if (controlPath is not null && RsyncCommand.IsTransient(code)) await master!.CheckAsync(cancellationToken).ConfigureAwait(false);
            var output = RunnerRecords.Tail(paths.UploadLog, maxLines: 4);
            var why = $"rsync to '{sshAlias}:' failed: {RsyncCommand.Explain(code, output)}: {output}";
            var delay = RsyncCommand.RetryDelay(attempt);
            if (!RsyncCommand.IsTransient(code) || DateTime.UtcNow + delay > retryUntil)
                return new StepOutcome.Failed(StatusTexts.UploadError, attempt > 1 ? $"{why} (after {attempt} attempts)" : why);
            log.Warning("{0}: {1}; trying again in {2} s", paths.JobName, why, delay.TotalSeconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <returns>rsync's exit code (127 when it cannot be started).</returns>
    private async Task<int> RunRsyncAsync(JobPaths paths, string? controlPath, CancellationToken cancellationToken)
    {
        // setsid: rsync and its ssh leave the daemon's session (a terminal's signals are not theirs).
        var psi = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "--", RsyncCommand.Program },
            WorkingDirectory = paths.JobDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in RsyncCommand.Arguments(paths.Tarball, sshAlias, execution.UploadTimeout, execution.UploadBandwidthKbps, controlPath))
            psi.ArgumentList.Add(argument);

        await using var output = new StreamWriter(paths.UploadLog, append: true) { AutoFlush = true };
        await output.WriteLineAsync($"$ rsync {string.Join(' ', psi.ArgumentList.Skip(2))}").ConfigureAwait(false);
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException("setsid did not start"); }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            await output.WriteLineAsync($"cannot start rsync: {e.Message}").ConfigureAwait(false);
            return 127;
        }
        using (process)
        {
            process.StandardInput.Close();
            var gate = new object();
            async Task Pump(StreamReader reader)
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                    lock (gate) output.WriteLine(line);
            }
            var pumps = Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Signals.KillTree(process.Id); // rsync and its ssh; rsync is our unreaped child, so its pid is surely its own
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                lock (gate) output.WriteLine("rsync stopped (killed)");
                throw;
            }
            await pumps.ConfigureAwait(false);
            lock (gate) output.WriteLine($"rsync exit code {process.ExitCode}");
            return process.ExitCode;
        }
    }
}
