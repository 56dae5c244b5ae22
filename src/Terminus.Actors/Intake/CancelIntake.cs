using Akka.Actor;
using Akka.Event;
using Terminus.Actors.Jobs;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;
using Terminus.Core.Text;

namespace Terminus.Actors.Intake;

/// <summary>What became of a <c>cancel_terminus_job</c> message; the queue it came from settles it accordingly.</summary>
public enum CancelIntakeResult
{
    /// <summary>In the ledger (or nothing to cancel): acknowledge.</summary>
    Taken,
    /// <summary>It names no job: drop it (acknowledged on the monitor queue, which must never reject; rejected on the job queue).</summary>
    Unusable,
    /// <summary>The ledger could not take it now (being restarted after a failed write): give it back to the broker.</summary>
    NotTaken,
}

/// <summary>
/// Takes a <c>cancel_terminus_job</c> from either queue to the job supervisor, and hears back only once the cancel is in
/// the ledger. On the monitor queue it never waits behind jobs; on the job queue it is taken in its turn.
/// </summary>
public sealed class CancelIntake(IActorRef supervisor, ILoggingAdapter log, TimeSpan? answerTimeout = null)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _answerTimeout = answerTimeout ?? TimeSpan.FromSeconds(10);

    public async Task<CancelIntakeResult> TakeAsync(CeleryTask task, string queue)
    {
        switch (CancelBinder.Bind(task))
        {
            case CancelBinding.Unusable unusable:
                log.Warning("Ignored {0} (id {1}) from {2}: {3}", CancelBinder.TaskName, Printable.Line(task.Id, 80), queue, Printable.Line(unusable.Reason, 300));
                return CancelIntakeResult.Unusable;
            case CancelBinding.Usable { Request: var request }:
                try
                {
                    await supervisor.Ask<CancelTaken>(new CancelJob(request), _answerTimeout).ConfigureAwait(false);
                    return CancelIntakeResult.Taken;
                }
                catch (Exception e)
                {
                    log.Warning("Job #{0}: a cancel (task {1}) could not be recorded ({2}); it goes back to {3}",
                        request.JobId, Printable.Line(task.Id, 80), e.GetBaseException().Message, queue);
                    await Task.Delay(RetryPause).ConfigureAwait(false);
                    return CancelIntakeResult.NotTaken;
                }
            default:
                return CancelIntakeResult.Unusable;
        }
    }
}
