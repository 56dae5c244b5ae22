using Akka.Actor;
using Terminus.Actors.Execution.Slurm;
using Terminus.Core.Configuration;
using Terminus.Core.Slurm;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Execution.Slurm;

/// <summary>The one poller of all SLURM jobs, against a fake cluster: how many scheduler commands each tick costs.</summary>
public sealed class SlurmPollerSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _output;

    public SlurmPollerSpecs(ITestOutputHelper output) : base(output: output) => _output = output;

    private readonly FakeSlurm _slurm = new();
    private static readonly SlurmSettings Fast = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), 1000, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));

    private (IActorRef Poller, Dictionary<string, List<SlurmJobState?>> Seen) Start(int jobs, SlurmSettings? settings = null)
    {
        var poller = Sys.ActorOf(SlurmPollerActor.Props(_slurm, settings ?? Fast));
        var seen = new Dictionary<string, List<SlurmJobState?>>();
        for (var i = 1; i <= jobs; i++)
        {
            var id = (1000 + i).ToString();
            _slurm.Jobs[id] = new FakeSlurm.Job { State = "RUNNING", Reason = "None" };
            seen[id] = new();
            var list = seen[id];
            poller.Tell(new SlurmPollerActor.Track(id, s => { lock (list) list.Add(s); }));
        }
        return (poller, seen);
    }

    private async Task Polled(Dictionary<string, List<SlurmJobState?>> seen, int times) =>
        await AwaitConditionAsync(() => Task.FromResult(seen.Values.All(l => { lock (l) return l.Count >= times; })), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task With_50_jobs_each_tick_makes_one_squeue_call()
    {
        var (poller, seen) = Start(50);
        await Polled(seen, 3);
        Sys.Stop(poller);
        await Task.Delay(300);
        var ticks = seen.Values.Max(l => { lock (l) return l.Count; });
        var squeues = _slurm.Calls.Where(c => c.StartsWith("squeue", StringComparison.Ordinal)).ToList();
        _output.WriteLine($"{squeues.Count} squeue calls for {seen.Count} jobs in {ticks} ticks; other commands: {_slurm.Calls.Count - squeues.Count}");
        Assert.InRange(squeues.Count, ticks, ticks + 1); // one per tick (the last may have been cut short by the stop)
        Assert.All(squeues, c => Assert.Equal(50, c.Split("-j ")[1].Split(',').Length));
        Assert.Equal(0, _slurm.Calls.Count - squeues.Count);
        Assert.All(seen.Values, l => Assert.Equal("RUNNING", l[^1]!.State));
    }

    [Fact]
    public async Task Jobs_gone_from_the_queue_are_asked_to_sacct_in_one_call()
    {
        var (_, seen) = Start(20);
        foreach (var j in _slurm.Jobs.Values.Take(10)) (j.InController, j.State) = (false, "COMPLETED");
        await Polled(seen, 2);
        var calls = _slurm.Calls.ToList(); // the poller goes on meanwhile: a tick may be half-way through
        var ticks = Ticks(calls);
        Assert.All(ticks, t => Assert.True(t.Count(c => c.StartsWith("sacct -X")) <= 1, $"one tick asked sacct more than once: {string.Join(" | ", t)}"));
        Assert.Contains(ticks, t => t.Any(c => c.StartsWith("sacct -X")));
        Assert.All(calls.Where(c => c.StartsWith("sacct -X")), c => Assert.Equal(10, c.Split("-j ")[1].Split(',').Length));
        Assert.DoesNotContain(calls, c => c.StartsWith("scontrol"));
        Assert.Equal(10, seen.Values.Count(l => l[^1]?.State == "COMPLETED"));
    }

    /// <summary>The commands split by tick: each tick starts with its one squeue.</summary>
    private static List<List<string>> Ticks(IEnumerable<string> calls)
    {
        var ticks = new List<List<string>>();
        foreach (var call in calls)
        {
            if (call.StartsWith("squeue", StringComparison.Ordinal) || ticks.Count == 0) ticks.Add([]);
            ticks[^1].Add(call);
        }
        return ticks;
    }

    [Fact]
    public async Task Without_accounting_the_completion_log_and_then_scontrol_are_asked()
    {
        _slurm.Accounting = false;
        var (_, seen) = Start(3);
        foreach (var j in _slurm.Jobs.Values) (j.InController, j.State) = (false, "FAILED");
        _slurm.Jobs["1003"].InAccounting = false; // not in the completion log either
        await Polled(seen, 2);
        var calls = _slurm.Calls.ToList();
        Assert.Contains(calls, c => c.StartsWith("sacct -c"));
        Assert.Contains(calls, c => c == "scontrol show job 1003");
        Assert.Equal("FAILED", seen["1001"][^1]!.State);
        Assert.Null(seen["1003"][^1]); // unknown: never taken for anything
    }

    [Fact]
    public async Task Jobs_the_scheduler_no_longer_knows_are_reported_unknown_never_ended()
    {
        var (poller, seen) = Start(2);
        await Polled(seen, 1);
        _slurm.Jobs.Clear(); // squeue now says "Invalid job id": an answer, not a failure
        var before = seen.Values.Max(l => { lock (l) return l.Count; });
        await Polled(seen, before + 2);
        Assert.All(seen.Values, l => Assert.Null(l[^1]));
        poller.Tell(SlurmPollerActor.GetPollStats.Instance);
        Assert.Equal(2, (await ExpectMsgAsync<SlurmPollerActor.PollStats>()).TrackedJobs);
    }

    [Fact]
    public async Task A_scheduler_that_fails_tells_the_jobs_nothing_rather_than_something_wrong()
    {
        var (_, seen) = Start(2);
        await Polled(seen, 1);
        _slurm.FailWith = "slurm_load_jobs error: Unable to contact slurm controller (connect failure)";
        var before = seen.Values.Max(l => { lock (l) return l.Count; });
        var squeuesBefore = _slurm.CallsOf("squeue");
        await AwaitConditionAsync(() => Task.FromResult(_slurm.CallsOf("squeue") >= squeuesBefore + 3), TimeSpan.FromSeconds(10)); // it keeps asking
        Assert.All(seen.Values, l => { lock (l) Assert.InRange(l.Count, before, before + 1); }); // one answer may have been in flight
        _slurm.FailWith = null;
        await Polled(seen, before + 2);
        Assert.All(seen.Values, l => Assert.Equal("RUNNING", l[^1]!.State));
    }

    [Fact]
    public async Task The_budget_of_scheduler_commands_per_minute_is_kept()
    {
        var (poller, seen) = Start(5, Fast with { MaxCallsPerMinute = 6 });
        await Task.Delay(2000);
        poller.Tell(SlurmPollerActor.GetPollStats.Instance);
        var stats = await ExpectMsgAsync<SlurmPollerActor.PollStats>();
        _output.WriteLine($"{_slurm.Calls.Count} commands in 2 s with a budget of 6/min; interval {stats.Interval}");
        Assert.InRange(_slurm.Calls.Count, 1, 6);
    }
}
