using System.IO.Compression;
using Akka.Event;
using Terminus.Actors.Steps;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Storage;

namespace Terminus.Actors.Execution;

/// <summary>
/// Packs a job's <c>out/</c> into <c>&lt;jobid&gt;_&lt;svc&gt;.tar.gz</c> (archive root <c>&lt;svc&gt;/</c>, as 0.7), in a
/// deterministic order, with nothing but the real directories and single-named regular files found below a real
/// <c>out/</c> directory, never following a link (<see cref="OutputTree"/>, <see cref="OutputArchive"/>); what is left
/// out is named in the daemon's log and in <c>out/job.log</c>. More than the configured size is refused before anything
/// is written. The tarball appears under its final name only once complete.
/// </summary>
public sealed class TarPackager(string jobRoot, long maxBytes, ILoggingAdapter log) : IStepExecutor
{
    public Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
    {
        var paths = JobPaths.For(jobRoot, step.Spec);
        control.Started();
        return Task.Run(() => Package(paths, maxBytes, log, control.Any), control.Any);
    }

    public static StepOutcome Package(JobPaths paths, long maxBytes, ILoggingAdapter log, CancellationToken cancellationToken) =>
        Package(paths, maxBytes, log, cancellationToken, beforeOpen: null);

    /// <param name="beforeOpen">Runs with each listed entry before it is opened for the tarball (tests swap entries there).</param>
    internal static StepOutcome Package(JobPaths paths, long maxBytes, ILoggingAdapter log, CancellationToken cancellationToken,
        Action<OutputEntry>? beforeOpen)
    {
        if (!Directory.Exists(paths.JobDir))
            return new StepOutcome.Failed(StatusTexts.JobDirRemoved, $"{paths.JobDir} no longer exists");

        var partial = paths.Tarball + ".partial";
        try
        {
            using var jobDir = DirectoryHandle.Open(paths.JobDir);
            using var outDir = OutputTree.OpenOut(jobDir, out var problem);
            if (outDir is null)
                return new StepOutcome.Failed(StatusTexts.TarballRefused(problem), $"{paths.OutDir}: {problem}");

            var plan = OutputTree.List(outDir, cancellationToken);
            log.Info("{0}: packaging out/ ({1} entries, {2} bytes)", paths.JobName, plan.Entries.Count, plan.TotalBytes);
            foreach (var leftOut in plan.LeftOut) log.Warning("{0}: left out of the tarball: {1}", paths.JobName, leftOut.WithTarget());
            if (plan.TotalBytes > maxBytes)
                return new StepOutcome.Failed(StatusTexts.ResultsTooLarge(plan.TotalBytes, maxBytes),
                    $"{plan.TotalBytes} bytes in {plan.Entries.Count} entries of out/");
            plan = TellTheUser(outDir, plan, paths.JobName, log);

            File.Delete(partial); // whatever was left at that name, a service's link included, is removed, never followed
            IReadOnlyList<OutputLeftOut> lateLeftOut;
            // CreateNew (O_EXCL) never follows a link; Fastest (deflate level 1) because results are mostly binary data
            // that higher levels barely shrink further, at several times the CPU, on cores that also run jobs.
            using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
                lateLeftOut = OutputArchive.Write(outDir, plan, paths.ServiceName, gzip, cancellationToken, beforeOpen);
            File.Move(partial, paths.Tarball, overwrite: true);

            foreach (var leftOut in lateLeftOut) log.Warning("{0}: left out of the tarball: {1}", paths.JobName, leftOut);
            log.Info("{0}: packaged out/ into {1} ({2} bytes)", paths.JobName, paths.Tarball, new FileInfo(paths.Tarball).Length);
            return new StepOutcome.Succeeded();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            TryDelete(partial);
            return Directory.Exists(paths.JobDir)
                ? new StepOutcome.Failed(StatusTexts.TarballError, e.Message)
                : new StepOutcome.Failed(StatusTexts.JobDirRemoved, e.Message);
        }
        catch (OperationCanceledException)
        {
            TryDelete(partial);
            throw;
        }
    }

    /// <summary>Appends what was left out to <c>out/job.log</c>, which is then packaged with those lines.</summary>
    private static OutputPlan TellTheUser(DirectoryHandle outDir, OutputPlan plan, string jobName, ILoggingAdapter log)
    {
        if (plan.LeftOut.Count == 0) return plan;
        var now = DateTime.Now;
        if (JobLog.Append(outDir, string.Concat(plan.LeftOut.Select(l => OutputRules.JobLogLine(l, now)))) is { } why)
        {
            log.Warning("{0}: what was left out of the tarball is not in out/job.log: {1}", jobName, why);
            return plan;
        }
        return plan.WithTopLevelFile(JobLog.Name, 0);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
