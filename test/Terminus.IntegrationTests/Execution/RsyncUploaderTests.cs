using Terminus.Actors.Execution;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests.Execution;

/// <summary>The uploader against a real sshd + rsync on loopback, through the daemon user's ~/.ssh/config alias.</summary>
public sealed class RsyncUploaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly ExecutionSite _site = new();

    public void Dispose() => _site.Dispose();

    private (JobSpec Spec, JobPaths Paths, byte[] Content) JobWithTarball(long? jobId = null)
    {
        _site.AddService("density_map", "def run(data_path, data_ref, test=False, **kw):\n    pass\n");
        var spec = _site.Spec("density_map", jobId: jobId);
        var paths = _site.Paths(spec);
        Directory.CreateDirectory(paths.OutDir);
        var content = new byte[200_000];
        Random.Shared.NextBytes(content);
        File.WriteAllBytes(paths.Tarball, content);
        return (spec, paths, content);
    }

    private static Task<StepOutcome> Upload(JobSpec spec, string jobRoot, string alias, TimeSpan? retry = null) =>
        new RsyncUploader(jobRoot, alias, ExecutionSettings.Default with { UploadTimeout = TimeSpan.FromSeconds(20), UploadRetryWindow = retry ?? TimeSpan.Zero }, ExecutionSite.Log)
            .ExecuteAsync(ExecutionSite.Step(StepKind.Upload, spec), StepControl.None()).WaitAsync(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task The_tarball_lands_in_the_storage_account_under_its_name()
    {
        var (spec, paths, content) = JobWithTarball();
        var landed = Path.Combine(ItEnvironment.StorageDir, Path.GetFileName(paths.Tarball));
        try
        {
            Assert.IsType<StepOutcome.Succeeded>(await Upload(spec, _site.JobDir, ItEnvironment.StorageAlias));
            Assert.Equal(content, File.ReadAllBytes(landed));
            var log = File.ReadAllText(paths.UploadLog);
            output.WriteLine(log);
            Assert.Contains("rsync exit code 0", log);
        }
        finally { File.Delete(landed); }
    }

    [Fact]
    public async Task Small_tarballs_that_wait_for_a_connection_all_go_in_the_next_rsync_and_each_lands_whole()
    {
        var jobs = Enumerable.Range(0, 4).Select(i => JobWithTarball(880_000 + i)).ToArray();
        var landed = jobs.Select(j => Path.Combine(ItEnvironment.StorageDir, Path.GetFileName(j.Paths.Tarball))).ToArray();
        var uploader = new RsyncUploader(_site.JobDir, ItEnvironment.StorageAlias, ExecutionSettings.Default with { UploadTimeout = TimeSpan.FromSeconds(20) },
            ExecutionSite.Log, maxRuns: 1);
        try
        {
            // One connection: the first starts an rsync at once; the three others wait for it, and then share the next.
            var uploads = jobs.Select(j => uploader.ExecuteAsync(ExecutionSite.Step(StepKind.Upload, j.Spec), StepControl.None())).ToArray();
            foreach (var outcome in await Task.WhenAll(uploads).WaitAsync(TimeSpan.FromSeconds(60))) Assert.IsType<StepOutcome.Succeeded>(outcome);
            for (var i = 0; i < jobs.Length; i++) Assert.Equal(jobs[i].Content, File.ReadAllBytes(landed[i]));

            var first = File.ReadAllLines(jobs[0].Paths.UploadLog).Single(l => l.StartsWith("$ rsync", StringComparison.Ordinal));
            output.WriteLine(first);
            Assert.Single(jobs, j => first.Contains(j.Paths.Tarball, StringComparison.Ordinal));
            var shared = File.ReadAllLines(jobs[1].Paths.UploadLog).Single(l => l.StartsWith("$ rsync", StringComparison.Ordinal));
            output.WriteLine(shared);
            Assert.All(jobs.Skip(1), j => Assert.Contains(j.Paths.Tarball, shared));
            Assert.All(jobs.Skip(2), j => Assert.Equal(shared, File.ReadAllLines(j.Paths.UploadLog).Single(l => l.StartsWith("$ rsync", StringComparison.Ordinal))));
        }
        finally
        {
            foreach (var f in landed) File.Delete(f);
        }
    }

    [Fact]
    public async Task A_file_the_storage_refuses_fails_only_its_own_job_when_it_shared_an_rsync()
    {
        var jobs = Enumerable.Range(0, 3).Select(i => JobWithTarball(881_000 + i)).ToArray();
        var landed = jobs.Select(j => Path.Combine(ItEnvironment.StorageDir, Path.GetFileName(j.Paths.Tarball))).ToArray();
        // Where the third job's file should land, the storage holds a directory: rsync cannot put the file there (exit 23).
        Directory.CreateDirectory(Path.Combine(landed[2], "in-the-way"));
        var uploader = new RsyncUploader(_site.JobDir, ItEnvironment.StorageAlias, ExecutionSettings.Default with { UploadTimeout = TimeSpan.FromSeconds(20) },
            ExecutionSite.Log, maxRuns: 1);
        try
        {
            var uploads = jobs.Select(j => uploader.ExecuteAsync(ExecutionSite.Step(StepKind.Upload, j.Spec), StepControl.None())).ToArray();
            var outcomes = await Task.WhenAll(uploads).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.IsType<StepOutcome.Succeeded>(outcomes[0]);
            Assert.IsType<StepOutcome.Succeeded>(outcomes[1]);
            var failed = Assert.IsType<StepOutcome.Failed>(outcomes[2]);
            output.WriteLine(failed.Detail);
            Assert.Equal(StatusTexts.UploadError, failed.StatusText);
            Assert.Equal(jobs[1].Content, File.ReadAllBytes(landed[1]));
            // The second job's file went twice: in the rsync it shared with the third, then alone.
            Assert.Equal(2, File.ReadAllLines(jobs[1].Paths.UploadLog).Count(l => l.StartsWith("$ rsync", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(landed[0]);
            File.Delete(landed[1]);
            Directory.Delete(landed[2], recursive: true);
        }
    }

    [Fact]
    public async Task A_storage_that_refuses_the_connection_fails_with_0_7_s_text_and_says_why_in_the_detail()
    {
        var (spec, paths, _) = JobWithTarball();
        var failed = Assert.IsType<StepOutcome.Failed>(await Upload(spec, _site.JobDir, ItEnvironment.StorageAlias + "_refused"));
        output.WriteLine(failed.Detail);
        Assert.Equal(StatusTexts.UploadError, failed.StatusText);
        Assert.Contains("ssh failed", failed.Detail);
        Assert.Contains("Connection refused", failed.Detail);
        Assert.Matches("rsync exit code (255|12)$", File.ReadAllText(paths.UploadLog).TrimEnd()); // which one depends on who noticed first
    }

    [Fact]
    public async Task A_storage_that_stays_unreachable_is_retried_with_backoff_then_the_job_fails()
    {
        var (spec, paths, _) = JobWithTarball();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var failed = Assert.IsType<StepOutcome.Failed>(await Upload(spec, _site.JobDir, ItEnvironment.StorageAlias + "_refused", retry: TimeSpan.FromSeconds(12)));
        output.WriteLine($"{failed.Detail} after {sw.Elapsed.TotalSeconds:0.0} s");
        // Tries at 0 s and 5 s; the next would come 10 s later, past the 12 s window.
        Assert.Contains("after 2 attempts", failed.Detail);
        Assert.InRange(sw.Elapsed.TotalSeconds, 4, 12);
        Assert.Equal(2, File.ReadAllLines(paths.UploadLog).Count(l => l.StartsWith("$ rsync", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_stopped_upload_returns_only_once_its_rsync_is_gone()
    {
        var (spec, paths, _) = JobWithTarball();
        var landed = Path.Combine(ItEnvironment.StorageDir, Path.GetFileName(paths.Tarball));
        File.WriteAllBytes(paths.Tarball, new byte[2_000_000]); // about a minute through the slow alias
        using var stop = new CancellationTokenSource();
        using var control = new StepControl(_ => { }, stop.Token, CancellationToken.None);
        var uploader = new RsyncUploader(_site.JobDir, ItEnvironment.StorageAlias + "_slow",
            ExecutionSettings.Default with { UploadTimeout = TimeSpan.FromSeconds(20), UploadRetryWindow = TimeSpan.Zero }, ExecutionSite.Log);
        try
        {
            var upload = uploader.ExecuteAsync(ExecutionSite.Step(StepKind.Upload, spec), control);
            await Eventually.TrueAsync(() => MarkedProcesses.Find(paths.Tarball).Count > 0, "rsync is sending the tarball");
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload.WaitAsync(TimeSpan.FromSeconds(30)));
            // The job's failed status follows at once: rsync must not still be sending its file then.
            Assert.Empty(MarkedProcesses.Find(paths.Tarball));
            Assert.EndsWith("rsync stopped (killed)", File.ReadAllText(paths.UploadLog).TrimEnd());
        }
        finally { File.Delete(landed); }
    }

    [Fact]
    public async Task A_missing_tarball_is_an_upload_failure_not_a_crash()
    {
        var (spec, paths, _) = JobWithTarball();
        File.Delete(paths.Tarball);
        Assert.Equal(StatusTexts.UploadError, Assert.IsType<StepOutcome.Failed>(await Upload(spec, _site.JobDir, ItEnvironment.StorageAlias)).StatusText);
    }
}
