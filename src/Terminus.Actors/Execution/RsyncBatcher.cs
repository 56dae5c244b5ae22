using System.ComponentModel;
using System.Diagnostics;
using Akka.Event;
using Terminus.Core.Configuration;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Ssh;

namespace Terminus.Actors.Execution;

/// <summary>
/// Runs the rsyncs of every job's upload to one storage alias (<see cref="UploadBatching"/> says which files go
/// together). A large tarball, or one to send alone, gets an rsync of its own at once. Small ones wait while an rsync of
/// small files runs, then all go in the next one: under load, one storage session carries several jobs' results, and
/// each job hears its outcome only once rsync has ended, when every file it carried is complete in storage. Each run
/// borrows one of the daemon's ssh master connections, if there are any. Its command and output go to the
/// <c>rsync.log</c> of every job it carries.
/// </summary>
public sealed class RsyncBatcher(string sshAlias, ExecutionSettings execution, ILoggingAdapter log, SshMasterPool? masters = null)
{
    /// <summary>How one rsync ended for a file it carried: its exit code (127: it could not start) and how many files it carried.</summary>
    public sealed record Run(int ExitCode, int Files);

    private readonly object _lock = new();
    private readonly List<Upload> _waiting = [];
    private bool _smallRunning;

    /// <summary>Sends <paramref name="tarball"/>; ends when the rsync that carried it ended (cancelled: the caller stops waiting).</summary>
    /// <param name="alone">In an rsync of its own (after an rsync shared with other files failed for a reason that is not the network's).</param>
    public Task<Run> UploadAsync(string tarball, long bytes, string uploadLog, bool alone, CancellationToken cancellationToken)
    {
        var upload = new Upload(tarball, bytes, uploadLog);
        upload.Cancellation = cancellationToken.Register(() => Abandon(upload));
        var shares = !alone && UploadBatching.MayShare(bytes);
        List<Upload>? batch = null;
        lock (_lock)
        {
            if (upload.Abandoned) return upload.Result.Task;
            if (shares)
            {
                _waiting.Add(upload);
                if (!_smallRunning) batch = TakeBatch();
                _smallRunning = true;
            }
        }
        if (!shares) _ = RunAsync([upload], small: false);
        else if (batch is not null) _ = RunAsync(batch, small: true);
        return upload.Result.Task;
    }

    /// <summary>The caller stopped waiting: a file still waiting is not sent; an rsync whose every file was abandoned is stopped.</summary>
    private void Abandon(Upload upload)
    {
        CancellationTokenSource? stop = null;
        lock (_lock)
        {
            upload.Abandoned = true;
            _waiting.Remove(upload);
            if (upload.Batch is { } batch && batch.All(u => u.Abandoned)) stop = upload.Stop;
        }
        upload.Result.TrySetCanceled();
        try { _ = stop?.CancelAsync(); }
        catch (ObjectDisposedException) { } // that rsync has just ended
    }

    /// <summary>Under the lock: the next files of the small lane, out of the waiting list.</summary>
    private List<Upload> TakeBatch()
    {
        var n = UploadBatching.NextBatch(_waiting.Select(u => u.Bytes).ToArray());
        var batch = _waiting.GetRange(0, n);
        _waiting.RemoveRange(0, n);
        return batch;
    }

    private async Task RunAsync(List<Upload> batch, bool small)
    {
        while (batch.Count > 0)
        {
            using var stop = new CancellationTokenSource();
            lock (_lock)
                foreach (var u in batch)
                {
                    u.Batch = batch;
                    u.Stop = stop;
                }
            try
            {
                if (batch.All(u => u.Abandoned)) throw new OperationCanceledException();
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
            if (!small) return;
            lock (_lock)
            {
                batch = TakeBatch();
                if (batch.Count == 0) _smallRunning = false;
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

    private sealed class Upload(string tarball, long bytes, string uploadLog)
    {
        public string Tarball { get; } = tarball;
        public long Bytes { get; } = bytes;
        public string UploadLog { get; } = uploadLog;
        public TaskCompletionSource<Run> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Cancellation { get; set; }
        // Under the batcher's lock:
        public bool Abandoned { get; set; }
        public List<Upload>? Batch { get; set; }
        public CancellationTokenSource? Stop { get; set; }
    }
}
