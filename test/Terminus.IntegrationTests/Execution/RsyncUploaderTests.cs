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

    private (JobSpec Spec, JobPaths Paths, byte[] Content) JobWithTarball()
    {
        _site.AddService("density_map", "def run(data_path, data_ref, test=False, **kw):\n    pass\n");
        var spec = _site.Spec("density_map");
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
    public async Task A_missing_tarball_is_an_upload_failure_not_a_crash()
    {
        var (spec, paths, _) = JobWithTarball();
        File.Delete(paths.Tarball);
        Assert.Equal(StatusTexts.UploadError, Assert.IsType<StepOutcome.Failed>(await Upload(spec, _site.JobDir, ItEnvironment.StorageAlias)).StatusText);
    }
}
