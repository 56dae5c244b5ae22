using System.Formats.Tar;
using System.IO.Compression;
using Akka.Event;
using Terminus.Actors.Steps;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Execution;

/// <summary>
/// Packs a job's <c>out/</c> into <c>&lt;jobid&gt;_&lt;svc&gt;.tar.gz</c> (archive root <c>&lt;svc&gt;/</c>, as 0.7), in a
/// deterministic order, never following a link out of <c>out/</c>, and refusing more than the configured size.
/// The tarball appears under its final name only once complete.
/// </summary>
public sealed class TarPackager(string jobRoot, long maxBytes, ILoggingAdapter log) : IStepExecutor
{
    public Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
    {
        var paths = JobPaths.For(jobRoot, step.Spec);
        control.Started();
        return Task.Run(() => Package(paths, maxBytes, log, control.Any), control.Any);
    }

    public static StepOutcome Package(JobPaths paths, long maxBytes, ILoggingAdapter log, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(paths.JobDir))
            return new StepOutcome.Failed(StatusTexts.JobDirRemoved, $"{paths.JobDir} no longer exists");
        if (!Directory.Exists(paths.OutDir))
            return new StepOutcome.Failed(StatusTexts.TarballError, $"{paths.OutDir} no longer exists");

        var partial = paths.Tarball + ".partial";
        try
        {
            var plan = OutputCollector.Collect(paths.OutDir, paths.ServiceName);
            log.Info("{0}: packaging out/ ({1} entries, {2} bytes)", paths.JobName, plan.Entries.Count, plan.TotalBytes);
            foreach (var skipped in plan.Skipped) log.Warning("{0}: left out of the tarball: {1}", paths.JobName, skipped);
            if (plan.TotalBytes > maxBytes)
                return new StepOutcome.Failed(StatusTexts.ResultsTooLarge(plan.TotalBytes, maxBytes),
                    $"{plan.TotalBytes} bytes in {plan.Entries.Count} entries of out/");

            using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
            {
                foreach (var entry in plan.Entries)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (entry.Kind == OutputKind.Symlink)
                        tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, entry.ArchiveName) { LinkName = entry.LinkTarget! });
                    else
                        tar.WriteEntry(entry.FullPath, entry.ArchiveName);
                }
            }
            File.Move(partial, paths.Tarball, overwrite: true);
            log.Info("{0}: packaged {1} entries, {2} bytes, into {3} ({4} bytes)", paths.JobName, plan.Entries.Count, plan.TotalBytes,
                paths.Tarball, new FileInfo(paths.Tarball).Length);
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

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
