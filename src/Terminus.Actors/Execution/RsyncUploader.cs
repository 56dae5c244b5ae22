using System.ComponentModel;
using System.Diagnostics;
using Akka.Event;
using Terminus.Actors.Steps;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Execution;

/// <summary>
/// Uploads a job's tarball to the portal's storage with rsync over the daemon user's SSH alias (0.7's command
/// with batch mode, timeouts and a hidden partial file). rsync's output goes to <c>rsync.log</c> in the job
/// directory and, on failure, its last lines to the daemon log.
/// </summary>
public sealed class RsyncUploader(string jobRoot, string sshAlias, TimeSpan ioTimeout, ILoggingAdapter log) : IStepExecutor
{
    public async Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken)
    {
        var paths = JobPaths.For(jobRoot, step.Spec);
        if (!Directory.Exists(paths.JobDir))
            return new StepOutcome.Failed(StatusTexts.JobDirRemoved, $"{paths.JobDir} no longer exists");
        if (!File.Exists(paths.Tarball))
            return new StepOutcome.Failed(StatusTexts.UploadError, $"{paths.Tarball} does not exist");

        // setsid: rsync and its ssh form a process group that a cancel can stop as a whole.
        var psi = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "--", RsyncCommand.Program },
            WorkingDirectory = paths.JobDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in RsyncCommand.Arguments(paths.Tarball, sshAlias, ioTimeout)) psi.ArgumentList.Add(argument);

        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException("setsid did not start"); }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return new StepOutcome.Failed(StatusTexts.UploadError, $"cannot start rsync: {e.Message}");
        }
        using (process)
        using (var output = new StreamWriter(paths.UploadLog, append: true) { AutoFlush = true })
        {
            started();
            process.StandardInput.Close();
            await output.WriteLineAsync($"$ rsync {string.Join(' ', psi.ArgumentList.Skip(2))}").ConfigureAwait(false);
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
                ProcessGroups.SignalGroup(process.Id, ProcessGroups.SigKill);
                throw;
            }
            await pumps.ConfigureAwait(false);
            var code = process.ExitCode;
            lock (gate) output.WriteLine($"rsync exit code {code}");
            if (code == 0)
            {
                log.Info("{0}: uploaded {1} to {2}:", paths.JobName, Path.GetFileName(paths.Tarball), sshAlias);
                return new StepOutcome.Succeeded();
            }
            var tail = RunnerRecords.Tail(paths.UploadLog, maxLines: 4);
            return new StepOutcome.Failed(StatusTexts.UploadError, $"rsync to '{sshAlias}:' failed: {RsyncCommand.Explain(code)}: {tail}");
        }
    }
}
