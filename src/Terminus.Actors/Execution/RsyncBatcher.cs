using System.ComponentModel;
using System.Diagnostics;
using Akka.Event;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Ssh;

namespace Terminus.Actors.Execution;

/// <summary>
/// Runs the rsyncs of every job's upload to one storage alias, at most <paramref name="maxRuns"/> at once (one per ssh
/// master connection). A file that comes while fewer run starts at once; otherwise it waits, and when an rsync ends the
/// next one takes every file waiting that may go with the first (<see cref="UploadBatching"/>). Under load, one storage
/// session thus carries several jobs' results, and each job hears its outcome only once rsync has ended, when every
/// file it carried is complete in storage. The command and its output go to the <c>rsync.log</c> of every job it carries.
/// </summary>
public sealed class RsyncBatcher(string sshAlias, ExecutionSettings execution, ILoggingAdapter log, int maxRuns, SshMasterPool? masters = null)
{
    /// <summary>How one rsync ended for a file it carried: its exit code (127: it could not start) and how many files it carried.</summary>
    public sealed record Run(int ExitCode, int Files);

    private readonly object _lock = new();
    private readonly List<Upload> _waiting = [];
    private int _running;

    /// <summary>Sends <paramref name="tarball"/>; ends when the rsync that carried it ended (cancelled: the caller stops waiting).</summary>
    /// <param name="alone">In an rsync of its own (after an rsync shared with other files failed for a reason that is not the network's).</param>
    /// <param name="started">Called when the rsync that carries it starts (waiting for a free connection is not part of the upload).</param>
    public Task<Run> UploadAsync(string tarball, long bytes, string uploadLog, bool alone, Action started, CancellationToken cancellationToken)
    {
        var upload = new Upload(tarball, new UploadBatching.Waiting(bytes, alone), uploadLog, started);
        upload.Cancellation = cancellationToken.Register(() => Abandon(upload));
        List<Upload>? batch = null;
        lock (_lock)
        {
            if (upload.Abandoned) return upload.Result.Task;
            _waiting.Add(upload);
            if (_running < Math.Max(1, maxRuns))
            {
                _running++;
                batch = TakeBatch();
            }
        }
        if (batch is not null) _ = RunAsync(batch);
        return upload.Result.Task;
    }

    /// <summary>
    /// The caller stopped waiting: a file still waiting is not sent; an rsync whose every file was abandoned is stopped,
    /// and its files hear so only once it is killed and reaped (a job's failed status must never overtake its rsync).
    /// </summary>
    private void Abandon(Upload upload)
    {
        CancellationTokenSource? stop = null;
        lock (_lock)
        {
            upload.Abandoned = true;
            _waiting.Remove(upload);
            if (upload.Batch is { } batch && batch.All(u => u.Abandoned)) stop = upload.Stop;
        }
        if (stop is null)
        {
            upload.Result.TrySetCanceled(); // not started, or its rsync goes on for other jobs' files
            return;
        }
        try { _ = stop.CancelAsync(); } // RunAsync answers once the rsync is gone
        catch (ObjectDisposedException) { upload.Result.TrySetCanceled(); } // that rsync has just ended
    }

    /// <summary>Under the lock: the files of the next rsync, out of the waiting list.</summary>
    private List<Upload> TakeBatch()
    {
        var n = UploadBatching.NextBatch(_waiting.Select(u => u.Waiting).ToArray());
        var batch = _waiting.GetRange(0, n);
        _waiting.RemoveRange(0, n);
        // Set here, under the lock that took them, so that an abandon from now on finds the rsync to stop and waits for it.
        var stop = n > 0 ? new CancellationTokenSource() : null;
        foreach (var u in batch)
        {
            u.Batch = batch;
            u.Stop = stop;
        }
        return batch;
    }

    /// <summary>Runs <paramref name="batch"/>, then whatever waits meanwhile, until nothing waits.</summary>
    private async Task RunAsync(List<Upload> batch)
    {
        while (batch.Count > 0)
        {
            using var stop = batch[0].Stop!;
            try
            {
                if (batch.All(u => u.Abandoned)) throw new OperationCanceledException();
                foreach (var u in batch) u.Started();
                if (batch.Count > 1)
                    log.Info("Uploading {0} tarballs in one rsync to {1}: {2}", batch.Count, sshAlias, string.Join(", ", batch.Select(u => Path.GetFileName(u.Tarball))));
                var code = await RunOnceAsync(batch, stop.Token).ConfigureAwait(false);
                foreach (var u in batch) u.Result.TrySetResult(new Run(code, batch.Count));
            }
            catch (OperationCanceledException)
            {
                foreach (var u in batch) u.Result.TrySetCanceled();
            }
            catch (Exception e)
            {
                foreach (var u in batch) u.Result.TrySetException(e);
            }
            finally
            {
                foreach (var u in batch) u.Cancellation.Dispose();
            }
            lock (_lock)
            {
                batch = TakeBatch();
                if (batch.Count == 0) _running--;
            }
        }
    }

    private async Task<int> RunOnceAsync(List<Upload> batch, CancellationToken cancellationToken)
    {
        using var lease = masters is null ? null : await masters.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var master = lease?.Master;
        var controlPath = master is null ? null : await master.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var code = await RunRsyncAsync(batch, controlPath, cancellationToken).ConfigureAwait(false);
        if (controlPath is not null && RsyncCommand.IsTransient(code)) await master!.CheckAsync(cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <returns>rsync's exit code (127 when it cannot be started).</returns>
    private async Task<int> RunRsyncAsync(List<Upload> batch, string? controlPath, CancellationToken cancellationToken)
    {
        // setsid: rsync and its ssh leave the daemon's session (a terminal's signals are not theirs).
        var psi = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "--", RsyncCommand.Program },
            WorkingDirectory = "/", // the tarballs are named by absolute paths, and a job directory may go while rsync runs
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in RsyncCommand.Arguments(batch.Select(u => u.Tarball).ToArray(), sshAlias, execution.UploadTimeout,
                     execution.UploadBandwidthKbps, controlPath))
            psi.ArgumentList.Add(argument);

        var logs = new List<StreamWriter>();
        try
        {
            foreach (var u in batch)
                try { logs.Add(new StreamWriter(u.UploadLog, append: true) { AutoFlush = true }); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // its job directory is gone: that job fails on its own
            var gate = new object();
            void Write(string line)
            {
                lock (gate)
                    foreach (var w in logs)
                        try { w.WriteLine(line); }
                        catch (IOException) { }
            }

            Write($"$ rsync {string.Join(' ', psi.ArgumentList.Skip(2))}");
            Process process;
            try { process = Process.Start(psi) ?? throw new InvalidOperationException("setsid did not start"); }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException)
            {
                Write($"cannot start rsync: {e.Message}");
                return 127;
            }
            using (process)
            {
                process.StandardInput.Close();
                async Task Pump(StreamReader reader)
                {
                    while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) Write(line);
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
                    Write("rsync stopped (killed)");
                    throw;
                }
                await pumps.ConfigureAwait(false);
                Write($"rsync exit code {process.ExitCode}");
                return process.ExitCode;
            }
        }
        finally
        {
            foreach (var w in logs) await w.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Upload(string tarball, UploadBatching.Waiting waiting, string uploadLog, Action started)
    {
        public string Tarball { get; } = tarball;
        public UploadBatching.Waiting Waiting { get; } = waiting;
        public string UploadLog { get; } = uploadLog;
        public Action Started { get; } = started;
        public TaskCompletionSource<Run> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Cancellation { get; set; }
        // Under the batcher's lock:
        public bool Abandoned { get; set; }
        public List<Upload>? Batch { get; set; }
        public CancellationTokenSource? Stop { get; set; }
    }
}
