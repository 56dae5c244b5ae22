namespace Terminus.Core.Jobs;

/// <summary>
/// Deadlines above each step's own limits, so no job waits forever. A run gets the service's time limit plus
/// <paramref name="RunGrace"/> once it runs; until then (a SLURM job may wait in the queue for days; the runners have
/// their own limits for that) <paramref name="RunStart"/>. Packaging and uploading are bounded from the moment their
/// step starts, not from when it was queued behind other jobs' steps; an upload's bound grows with its size
/// (<see cref="ForUpload"/>), <paramref name="Upload"/> being the bound of an upload of unknown size.
/// </summary>
public sealed record JobTimeouts(TimeSpan RunGrace, TimeSpan Package, TimeSpan Upload, TimeSpan RunStart)
{
    public static readonly JobTimeouts Default = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromDays(7));

    /// <summary>The rate an upload is assumed to reach at least when no bandwidth limit is set (1 MiB/s).</summary>
    public const int AssumedUploadKbps = 1024;

    /// <summary>How long a stopped step may take to kill its work and answer before the job ends without its answer.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the step of a phase with this deadline may take; null when nothing bounds it.</summary>
    public TimeSpan? Of(StepDeadline deadline, JobSpec? spec) => deadline switch
    {
        StepDeadline.RunStart => RunStart,
        StepDeadline.RunLimit => TimeSpan.FromMinutes(spec?.Service.TimeoutMinutes ?? 0) + RunGrace,
        StepDeadline.Package => Package,
        StepDeadline.Upload => Upload,
        _ => null,
    };

    /// <summary>Deadlines counted from the step's own start (its worker may be busy with other jobs until then).</summary>
    public static bool CountsFromStart(StepDeadline deadline) => deadline is StepDeadline.Package or StepDeadline.Upload;

    /// <summary>
    /// An upload's bound: twice the transfer time at the bandwidth limit (or at <see cref="AssumedUploadKbps"/>
    /// without one), plus three I/O timeouts for connecting and the last stalls rsync itself detects, plus the window
    /// in which failed attempts are retried. A 10 GiB tarball at 1 MiB/s gets about 5.7 h, a small one a few minutes.
    /// </summary>
    public static TimeSpan ForUpload(long bytes, int? bandwidthKbps, TimeSpan ioTimeout, TimeSpan retryWindow)
    {
        var bytesPerSecond = (double)(bandwidthKbps ?? AssumedUploadKbps) * 1024;
        return TimeSpan.FromSeconds(2 * Math.Max(0, bytes) / bytesPerSecond) + 3 * ioTimeout + retryWindow;
    }
}
