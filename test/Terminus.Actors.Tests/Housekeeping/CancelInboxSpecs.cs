using Akka.Actor;
using Terminus.Actors.Housekeeping;
using Terminus.Actors.Jobs;
using Terminus.Core.Jobs;
using Terminus.Core.Ledger;
using Terminus.Infrastructure.Operator;

namespace Terminus.Actors.Tests.Housekeeping;

/// <summary>The operator's cancels left in the cancel inbox, taken to a supervisor played by a probe.</summary>
public sealed class CancelInboxSpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("terminus-cancels-").FullName, "cancels");
    private readonly CancelInbox _inbox;

    public CancelInboxSpecs() => _inbox = new CancelInbox(_dir);

    void IDisposable.Dispose()
    {
        Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);
        Shutdown();
    }

    private Func<DateTime, Task<ChoreOutcome>> Round(IActorRef supervisor, TimeSpan? timeout = null) =>
        Chores.TakeCancelNotes(_inbox, supervisor, timeout ?? TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Each_note_goes_to_the_supervisor_and_is_deleted_once_it_is_in_the_ledger()
    {
        var first = _inbox.Leave(new JobId(41), "wrong snapshot");
        File.SetLastWriteTimeUtc(first, DateTime.UtcNow.AddSeconds(-5));
        var second = _inbox.Leave(new JobId(42), null);
        var supervisor = CreateTestProbe();

        var round = Round(supervisor.Ref)(DateTime.UtcNow);
        Assert.Equal(new CancelRequest(new JobId(41), CancelledBy.Operator, "wrong snapshot"), supervisor.ExpectMsg<CancelJob>().Request);
        supervisor.Reply(new CancelTaken(new JobId(41), CancelDecision.StopLive));
        Assert.Equal(new CancelRequest(new JobId(42), CancelledBy.Operator, null), supervisor.ExpectMsg<CancelJob>().Request);
        supervisor.Reply(new CancelTaken(new JobId(42), CancelDecision.AwaitRequest));
        var outcome = await round;

        Assert.Equal([$"Job #41: the lab's operator's cancel taken from {first} (StopLive)", $"Job #42: the lab's operator's cancel taken from {second} (AwaitRequest)"], outcome.Done);
        Assert.Empty(outcome.Problems);
        Assert.Empty(_inbox.Waiting());
    }

    [Fact]
    public async Task A_note_the_supervisor_did_not_answer_for_stays_for_the_next_round()
    {
        var note = _inbox.Leave(new JobId(7), null);
        var supervisor = CreateTestProbe();

        var outcome = await Round(supervisor.Ref, TimeSpan.FromMilliseconds(200))(DateTime.UtcNow);

        supervisor.ExpectMsg<CancelJob>();
        Assert.Empty(outcome.Done);
        Assert.StartsWith($"Cancel note {note} not taken yet (", Assert.Single(outcome.Problems));
        Assert.Equal([note], _inbox.Waiting());
    }

    [Fact]
    public async Task A_note_replaced_while_the_supervisor_answers_is_kept_for_the_next_round()
    {
        var note = _inbox.Leave(new JobId(7), "first");
        var supervisor = CreateTestProbe();

        var round = Round(supervisor.Ref)(DateTime.UtcNow);
        supervisor.ExpectMsg<CancelJob>();
        _inbox.Leave(new JobId(7), "second thoughts");
        supervisor.Reply(new CancelTaken(new JobId(7), CancelDecision.StopLive));
        await round;

        Assert.Equal([note], _inbox.Waiting());
        Assert.Contains("second thoughts", File.ReadAllText(note));
    }

    [Fact]
    public async Task A_note_that_names_no_job_is_set_aside_and_reported_once()
    {
        Directory.CreateDirectory(_dir);
        var note = Path.Combine(_dir, "junk.cancel");
        File.WriteAllText(note, "{\"jobid\": \"all of them\"}");
        var supervisor = CreateTestProbe();

        var outcome = await Round(supervisor.Ref)(DateTime.UtcNow);

        supervisor.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal($"Cancel note {note} names no job ('jobid' must be a non-negative integer, got \"all of them\"): set aside as junk.cancel.bad", Assert.Single(outcome.Problems));
        Assert.Empty(_inbox.Waiting());
        Assert.True(File.Exists(note + ".bad"));
        Assert.Empty((await Round(supervisor.Ref)(DateTime.UtcNow)).Problems);
    }

    [Fact]
    public void The_inbox_chore_takes_a_note_left_while_the_daemon_runs_at_its_next_round()
    {
        var supervisor = CreateTestProbe();
        var chore = Sys.ActorOf(ChoreActor.Props(Round(supervisor.Ref), Chores.CancelInboxInterval));
        var note = _inbox.Leave(new JobId(9), null);
        EventFilter.Info(contains: $"Job #9: the lab's operator's cancel taken from {note}").ExpectOne(() =>
        {
            chore.Tell(ChoreActor.Run.Instance);
            supervisor.ExpectMsg<CancelJob>(TimeSpan.FromSeconds(10));
            supervisor.Reply(new CancelTaken(new JobId(9), CancelDecision.StopLive));
        });
        Assert.Empty(_inbox.Waiting());
    }
}
