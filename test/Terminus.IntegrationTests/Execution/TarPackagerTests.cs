using Terminus.Actors.Execution;
using Terminus.Actors.Steps;
using Terminus.Core.Jobs;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests.Execution;

/// <summary>The packager on real files, its tarballs read back by GNU tar and by Python's tarfile (0.7's own tool).</summary>
public sealed class TarPackagerTests(ITestOutputHelper output) : IDisposable
{
    private readonly ExecutionSite _site = new();

    public void Dispose() => _site.Dispose();

    private (JobSpec Spec, JobPaths Paths) Job()
    {
        _site.AddService("density_map", "def run(data_path, data_ref, test=False, **kw):\n    pass\n");
        var spec = _site.Spec("density_map");
        var paths = _site.Paths(spec);
        Directory.CreateDirectory(paths.OutDir);
        return (spec, paths);
    }

    private static Task<StepOutcome> Package(JobSpec spec, string jobRoot, long max = 1 << 30) =>
        new TarPackager(jobRoot, max, ExecutionSite.Log).ExecuteAsync(ExecutionSite.Step(StepKind.Package, spec), StepControl.None());

    [Fact]
    public async Task The_tarball_has_the_service_as_its_root_in_a_deterministic_order_and_gnu_tar_and_python_read_it()
    {
        var (spec, paths) = Job();
        Directory.CreateDirectory(Path.Combine(paths.OutDir, "maps"));
        File.WriteAllText(Path.Combine(paths.OutDir, "processing_config.json"), "{}");
        File.WriteAllText(Path.Combine(paths.OutDir, "job.log"), "log");
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        File.WriteAllBytes(Path.Combine(paths.OutDir, "maps", "map.bin"), payload);
        File.CreateSymbolicLink(Path.Combine(paths.OutDir, "latest.bin"), "maps/map.bin");
        File.CreateSymbolicLink(Path.Combine(paths.OutDir, "passwd"), "/etc/passwd");
        File.WriteAllText(Path.Combine(paths.JobDir, "stdout.log"), "not for the user");

        Assert.IsType<StepOutcome.Succeeded>(await Package(spec, _site.JobDir));

        Assert.Equal($"{spec.JobId}_density_map.tar.gz", Path.GetFileName(paths.Tarball));
        var listing = await ProcessRunner.RunAsync("tar", ["-tzf", paths.Tarball], TimeSpan.FromSeconds(30));
        output.WriteLine(listing.StdOut);
        Assert.Equal(["density_map/", "density_map/job.log", "density_map/latest.bin", "density_map/maps/", "density_map/maps/map.bin",
            "density_map/processing_config.json"], listing.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var extracted = Path.Combine(_site.Root, "extracted");
        Directory.CreateDirectory(extracted);
        Assert.Equal(0, (await ProcessRunner.RunAsync("tar", ["-xzf", paths.Tarball, "-C", extracted], TimeSpan.FromSeconds(30))).ExitCode);
        Assert.Equal(payload, File.ReadAllBytes(Path.Combine(extracted, "density_map", "maps", "map.bin")));
        Assert.Equal("maps/map.bin", new FileInfo(Path.Combine(extracted, "density_map", "latest.bin")).LinkTarget);

        var python = await ProcessRunner.RunAsync(ExecutionSite.Python3,
            ["-c", "import sys, tarfile; t = tarfile.open(sys.argv[1]); print(','.join(m.name for m in t.getmembers()))", paths.Tarball],
            TimeSpan.FromSeconds(30));
        Assert.Equal("density_map,density_map/job.log,density_map/latest.bin,density_map/maps,density_map/maps/map.bin,density_map/processing_config.json",
            python.StdOut.Trim());
        Assert.False(File.Exists(paths.Tarball + ".partial"));
    }

    [Fact]
    public async Task Results_over_the_size_limit_are_refused_with_a_clear_message()
    {
        var (spec, paths) = Job();
        File.WriteAllBytes(Path.Combine(paths.OutDir, "cube.bin"), new byte[3 * 1024 * 1024]);
        var failed = Assert.IsType<StepOutcome.Failed>(await Package(spec, _site.JobDir, max: 2 * 1024 * 1024));
        Assert.Equal("Job results are too large to be uploaded: 3 MiB in out/, the limit is 2 MiB.", failed.StatusText);
        Assert.False(File.Exists(paths.Tarball));
    }

    [Fact]
    public async Task A_job_directory_removed_by_the_sysadmin_gives_0_7_s_text()
    {
        var (spec, paths) = Job();
        Directory.Delete(paths.JobDir, recursive: true);
        Assert.Equal(StatusTexts.JobDirRemoved, Assert.IsType<StepOutcome.Failed>(await Package(spec, _site.JobDir)).StatusText);
    }
}
