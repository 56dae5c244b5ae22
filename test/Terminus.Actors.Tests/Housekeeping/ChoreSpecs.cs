using Akka.Actor;
using Terminus.Actors.Housekeeping;

namespace Terminus.Actors.Tests.Housekeeping;

public sealed class ChoreSpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _failed = Directory.CreateTempSubdirectory("terminus-failed-").FullName;

    void IDisposable.Dispose()
    {
        Directory.Delete(_failed, recursive: true);
        Shutdown();
    }

    [Fact]
    public void At_start_the_failed_jobs_pruner_deletes_what_was_kept_past_the_retention_and_keeps_the_rest_then_again_when_told()
    {
        var old = Directory.CreateDirectory(Path.Combine(_failed, "1_svc")).FullName;
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-8));
        var fresh = Directory.CreateDirectory(Path.Combine(_failed, "2_svc")).FullName;

        IActorRef pruner = ActorRefs.Nobody;
        // The round's log line comes once the actor has its outcome: only then is it free for the next round.
        EventFilter.Info(contains: $"Deleted {old}").ExpectOne(() => pruner = Sys.ActorOf(ChoreActor.Props(Chores.PruneFailedJobs(_failed, TimeSpan.FromDays(7)))));
        Assert.False(Directory.Exists(old));
        Assert.True(Directory.Exists(fresh));
        Directory.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddDays(-7));
        EventFilter.Info(contains: $"Deleted {fresh}").ExpectOne(() => pruner.Tell(ChoreActor.Run.Instance, TestActor));
        Assert.False(Directory.Exists(fresh));
    }

    [Fact]
    public void A_round_that_throws_is_logged_and_the_next_one_runs()
    {
        var rounds = 0;
        EventFilter.Warning(contains: "round 1 broke").ExpectOne(() =>
            Sys.ActorOf(ChoreActor.Props(_ => ++rounds == 1 ? throw new InvalidOperationException("round 1 broke") : new ChoreOutcome(["round 2 ran"], []))));
        EventFilter.Info(contains: "round 2 ran").ExpectOne(() => Sys.ActorSelection("/user/*").Tell(ChoreActor.Run.Instance));
    }
}
