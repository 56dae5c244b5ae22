using Terminus.Actors.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Tests.Execution;

public sealed class JobDirectoriesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terminus-jobdirs-").FullName;
    private JobPaths Paths => new(_root, "12_svc", "svc");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Prepare_writes_the_runner_and_the_request_and_moves_an_older_directory_aside()
    {
        Assert.Null(JobDirectories.Prepare(Paths, "{\"format\": 1}"u8.ToArray()));
        Assert.True(Directory.Exists(Paths.OutDir));
        Assert.Equal(RunnerScript.Bytes, File.ReadAllBytes(Paths.RunnerScript));
        Assert.Equal("{\"format\": 1}", File.ReadAllText(Paths.RequestFile));
        File.WriteAllText(Path.Combine(Paths.OutDir, "first"), "1");

        var aside = JobDirectories.Prepare(Paths, "{}"u8.ToArray());

        Assert.Equal(Paths.FailedDir, aside);
        Assert.True(File.Exists(Path.Combine(Paths.FailedDir, "out", "first")));
        Assert.False(File.Exists(Path.Combine(Paths.OutDir, "first")));
    }

    [Fact]
    public void Failed_jobs_accumulate_in_failed_without_overwriting_each_other()
    {
        for (var i = 0; i < 3; i++)
        {
            Directory.CreateDirectory(Paths.OutDir);
            File.WriteAllText(Path.Combine(Paths.OutDir, "run"), i.ToString());
            Assert.StartsWith("moved ", JobDirectories.Retire(Paths, JobDirFate.MoveToFailed));
        }
        var kept = Directory.GetDirectories(Path.Combine(_root, JobPaths.FailedDirName)).Select(d => File.ReadAllText(Path.Combine(d, "out", "run")));
        Assert.Equal(["0", "1", "2"], kept.Order());
        Assert.False(Directory.Exists(Paths.JobDir));
    }

    [Fact]
    public void Delete_removes_the_directory_and_a_missing_one_is_nothing_to_do()
    {
        Directory.CreateDirectory(Paths.OutDir);
        Assert.StartsWith("deleted ", JobDirectories.Retire(Paths, JobDirFate.Delete));
        Assert.False(Directory.Exists(Paths.JobDir));
        Assert.Null(JobDirectories.Retire(Paths, JobDirFate.Delete));
    }

    [Fact]
    public void A_directory_moved_to_failed_counts_its_time_there_from_the_move_and_only_what_was_kept_long_enough_is_pruned()
    {
        var failed = Path.Combine(_root, "__failed");
        Directory.CreateDirectory(Paths.OutDir);
        Directory.SetLastWriteTimeUtc(Paths.JobDir, DateTime.UtcNow.AddDays(-90)); // last written long ago...
        JobDirectories.Retire(Paths, JobDirFate.MoveToFailed);
        Assert.True(Directory.GetLastWriteTimeUtc(Path.Combine(failed, "12_svc")) > DateTime.UtcNow.AddMinutes(-5)); // ...failed now
        var old = Directory.CreateDirectory(Path.Combine(failed, "7_svc")).FullName;
        File.WriteAllText(Path.Combine(old, "left"), "x");
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-31));
        var outside = Directory.CreateDirectory(Path.Combine(_root, "not-failed")).FullName;
        var link = Path.Combine(failed, "8_svc");
        Directory.CreateSymbolicLink(link, outside);
        File.SetLastWriteTimeUtc(link, DateTime.UtcNow.AddDays(-40)); // the link's own time (it is not followed)

        var (deleted, problems) = JobDirectories.PruneFailed(failed, TimeSpan.FromDays(30), DateTime.UtcNow);

        Assert.Empty(problems);
        Assert.Equal([old, link], deleted.Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(failed, "12_svc")));
        Assert.True(Directory.Exists(outside));
    }
}
