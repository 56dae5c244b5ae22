using Terminus.Core.Jobs;

namespace Terminus.Actors.Telemetry;

/// <summary>
/// One job's share of <c>terminus_jobs{phase}</c> and of the phase-duration histogram, kept by its actor: the phase
/// it is shown in and since when. A phase left is observed once, by the incarnation that wrote the move (a resumed
/// job shows its phase again without observing what an earlier incarnation did).
/// </summary>
public sealed class PhaseClock
{
    private JobPhase? _phase;
    private DateTimeOffset _since;

    /// <summary>Shows the job in <paramref name="phase"/>, entered at <paramref name="since"/>, without observing anything.</summary>
    public void Show(JobPhase phase, DateTimeOffset since)
    {
        Hide();
        (_phase, _since) = (phase, since);
        DaemonMetrics.JobsInPhase.WithLabels(phase.Name()).Inc();
    }

    /// <summary>The job moved: the time spent in the phase it left is observed.</summary>
    public void Move(JobPhase to, DateTimeOffset at)
    {
        if (_phase is { } from && DaemonMetrics.DurationLabel(from) is { } label)
            DaemonMetrics.PhaseDuration.WithLabels(label).Observe(Math.Max(0, (at - _since).TotalSeconds));
        Show(to, at);
    }

    /// <summary>The actor stops: the job is no longer shown.</summary>
    public void Hide()
    {
        if (_phase is { } shown) DaemonMetrics.JobsInPhase.WithLabels(shown.Name()).Dec();
        _phase = null;
    }
}
