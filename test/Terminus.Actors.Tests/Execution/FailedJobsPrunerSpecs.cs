using Terminus.Actors.Execution;

namespace Terminus.Actors.Tests.Execution;

public sealed class FailedJobsPrunerSpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _failed = Directory.CreateTempSubdirectory("terminus-failed-").FullName;

    void IDisposable.Dispose()
    {
        Directory.Delete(_failed, recursive: true);
        Shutdown();
    }

    [Fact]
    public void At_start_it_deletes_what_was_kept_past_the_retention_and_keeps_the_rest_then_again_when_told()
    {
        var old = Directory.CreateDirectory(Path.Combine(_failed, "1_svc")).FullName;
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-8));
        var fresh = Directory.CreateDirectory(Path.Combine(_failed, "2_svc")).FullName;

        var pruner = Sys.ActorOf(FailedJobsPrunerActor.Props(_failed, TimeSpan.FromDays(7)));

        AwaitAssert(() => Assert.False(Directory.Exists(old)), TimeSpan.FromSeconds(10));
        Assert.True(Directory.Exists(fresh));
        Directory.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddDays(-7));
        pruner.Tell(FailedJobsPrunerActor.Prune.Instance, TestActor);
        AwaitAssert(() => Assert.False(Directory.Exists(fresh)), TimeSpan.FromSeconds(10));
    }
}
