namespace Terminus.Core.Slurm;

/// <summary>
/// When to ask SLURM next, gently: soon after something changed (or a job's exit record appeared), then less and
/// less often while nothing changes, and never more than a budget of scheduler commands per minute.
/// </summary>
public sealed class PollSchedule
{
    private readonly Queue<DateTime> _calls = new();
    private readonly TimeSpan _min, _max;
    private readonly int _maxCallsPerMinute;
    private TimeSpan _interval;

    public PollSchedule(TimeSpan min, TimeSpan max, int maxCallsPerMinute)
    {
        (_min, _max, _maxCallsPerMinute, _interval) = (min, max, maxCallsPerMinute, min);
    }

    public TimeSpan Interval => _interval;
    public int MaxCallsPerMinute => _maxCallsPerMinute;

    public int CallsInLastMinute(DateTime now)
    {
        while (_calls.Count > 0 && now - _calls.Peek() >= TimeSpan.FromMinutes(1)) _calls.Dequeue();
        return _calls.Count;
    }

    public void Called(DateTime now, int commands)
    {
        for (var i = 0; i < commands; i++) _calls.Enqueue(now);
    }

    /// <summary>After a poll: back to the shortest interval if anything changed, else half as often again (up to the longest).</summary>
    public void Polled(bool changed) =>
        _interval = changed ? _min : TimeSpan.FromTicks(Math.Min(_max.Ticks, (long)(_interval.Ticks * 1.5)));

    public void Hurry() => _interval = _min;

    /// <summary>The delay until the next poll: the interval, stretched if the budget of the last minute is spent.</summary>
    public TimeSpan NextDelay(DateTime now, int commandsPerPoll)
    {
        var used = CallsInLastMinute(now);
        if (used + commandsPerPoll <= _maxCallsPerMinute) return _interval;
        var oldestThatMustLeave = _calls.ElementAt(Math.Min(_calls.Count - 1, used + commandsPerPoll - _maxCallsPerMinute - 1));
        var wait = oldestThatMustLeave + TimeSpan.FromMinutes(1) - now;
        return wait > _interval ? wait : _interval;
    }
}
