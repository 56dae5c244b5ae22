using Terminus.Core.Slurm;

namespace Terminus.Core.Tests.Slurm;

public sealed class PollScheduleTests
{
    private static readonly DateTime T0 = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_interval_grows_while_nothing_changes_and_drops_back_on_a_change()
    {
        var s = new PollSchedule(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 100);
        Assert.Equal(2, s.Interval.TotalSeconds);
        s.Polled(changed: false);
        Assert.Equal(3, s.Interval.TotalSeconds);
        for (var i = 0; i < 20; i++) s.Polled(changed: false);
        Assert.Equal(30, s.Interval.TotalSeconds);
        s.Polled(changed: true);
        Assert.Equal(2, s.Interval.TotalSeconds);
        s.Polled(changed: false);
        s.Hurry();
        Assert.Equal(2, s.Interval.TotalSeconds);
    }

    [Fact]
    public void The_budget_of_commands_per_minute_stretches_the_next_delay()
    {
        var s = new PollSchedule(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 6);
        for (var i = 0; i < 3; i++) s.Called(T0.AddSeconds(i * 2), 2);
        Assert.Equal(6, s.CallsInLastMinute(T0.AddSeconds(5)));
        var wait = s.NextDelay(T0.AddSeconds(5), commandsPerPoll: 2);
        Assert.Equal(55, wait.TotalSeconds); // the first two calls (at T0) must leave the minute first
        Assert.Equal(0, s.CallsInLastMinute(T0.AddSeconds(65)));
        Assert.Equal(2, s.NextDelay(T0.AddSeconds(65), 2).TotalSeconds);
    }
}
