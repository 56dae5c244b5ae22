namespace Terminus.Core.Jobs;

/// <summary>
/// Safety nets above each step's own limits, so no job waits forever on a lost reply. A run gets the service's time
/// limit plus <paramref name="RunGrace"/> once it runs; until then (a SLURM job may wait in the queue for days; the
/// runners have their own limits for that) <paramref name="RunStart"/>.
/// </summary>
public sealed record JobTimeouts(TimeSpan RunGrace, TimeSpan Package, TimeSpan Upload, TimeSpan RunStart)
{
    public static readonly JobTimeouts Default = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromDays(7));

    /// <summary>How long the step of a phase with this deadline may take; null when nothing bounds it.</summary>
    public TimeSpan? Of(StepDeadline deadline, JobSpec? spec) => deadline switch
    {
        StepDeadline.RunStart => RunStart,
        StepDeadline.RunLimit => TimeSpan.FromMinutes(spec?.Service.TimeoutMinutes ?? 0) + RunGrace,
        StepDeadline.Package => Package,
        StepDeadline.Upload => Upload,
        _ => null,
    };
}
