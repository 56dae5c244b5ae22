using Akka.Actor;
using Akka.Event;
using Terminus.Actors.Amqp;
using Terminus.Actors.Reporting;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Jobs;

/// <summary>
/// One child per job, keyed by job id. A second delivery of a live job joins it instead of starting another
/// run; one of a job that just finished is acked without running it again. A job actor that crashes still
/// gets its terminal status, sent from here.
/// </summary>
public sealed class JobSupervisorActor : ReceiveActor
{
    private const int RememberedFinishedJobs = 4096;

    private readonly Func<JobRequest, IDelivery, Props> _jobProps;
    private readonly IActorRef _reporter;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<JobId, LiveJob> _live = new();
    private readonly Dictionary<IActorRef, JobId> _byActor = new();
    private readonly Dictionary<JobId, List<IDelivery>> _orphaned = new();
    private readonly Dictionary<JobId, string> _finished = new();
    private readonly Queue<JobId> _finishedOrder = new();

    public JobSupervisorActor(Func<JobRequest, IDelivery, Props> jobProps, IActorRef reporter)
    {
        _jobProps = jobProps;
        _reporter = reporter;

        Receive<SubmitJob>(Submit);
        Receive<JobFinished>(Retire);
        Receive<Terminated>(OnTerminated);
        Receive<StatusConfirmed>(OnOrphanStatusConfirmed);
        Receive<GetLiveJobs>(_ => Sender.Tell(new LiveJobs(_live.Keys.ToArray())));
    }

    public static Props Props(Func<JobRequest, IDelivery, Props> jobProps, IActorRef reporter) =>
        Akka.Actor.Props.Create(() => new JobSupervisorActor(jobProps, reporter));

    /// <summary>A step with side effects must never be restarted half-way: a failing job actor stops.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Submit(SubmitJob submit)
    {
        var id = submit.Request.JobId;
        if (_live.TryGetValue(id, out var live))
        {
            live.Deliveries.Add(submit.Delivery);
            live.Actor.Tell(new AttachDelivery(submit.Delivery));
            return;
        }
        if (_orphaned.TryGetValue(id, out var orphaned)) { orphaned.Add(submit.Delivery); return; }
        if (_finished.TryGetValue(id, out var status))
        {
            _log.Info("Job #{0}: already finished with status {1}; duplicate request acknowledged without running it again", id, status);
            _ = submit.Delivery.AckAsync();
            return;
        }

        var actor = Context.ActorOf(_jobProps(submit.Request, submit.Delivery), $"job-{id}");
        Context.Watch(actor);
        _live[id] = new LiveJob(actor, [submit.Delivery]);
        _byActor[actor] = id;
    }

    private void Retire(JobFinished finished)
    {
        if (_live.Remove(finished.JobId, out var live))
        {
            _byActor.Remove(live.Actor);
            Context.Unwatch(live.Actor);
            // PoisonPill, not Stop: deliveries forwarded before this point are still handled (acked) in order.
            live.Actor.Tell(PoisonPill.Instance);
        }
        Remember(finished.JobId, finished.Status);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (!_byActor.Remove(terminated.ActorRef, out var id) || !_live.Remove(id, out var live)) return;
        _log.Error("Job #{0}: its actor stopped unexpectedly; reporting the job as failed", id);
        _orphaned[id] = live.Deliveries;
        _reporter.Tell(new ReportStatus(id, JobStatuses.Failed,
            StatusTexts.StoppedWithError("internal error in Terminus; see the daemon log"), Terminal: true));
    }

    private void OnOrphanStatusConfirmed(StatusConfirmed confirmed)
    {
        if (!_orphaned.Remove(confirmed.JobId, out var deliveries)) return;
        foreach (var d in deliveries) _ = d.AckAsync();
        Remember(confirmed.JobId, confirmed.Status);
    }

    private void Remember(JobId id, string status)
    {
        if (_finished.TryAdd(id, status)) _finishedOrder.Enqueue(id);
        if (_finishedOrder.Count > RememberedFinishedJobs) _finished.Remove(_finishedOrder.Dequeue());
    }

    private sealed record LiveJob(IActorRef Actor, List<IDelivery> Deliveries);
}

public sealed record GetLiveJobs
{
    public static readonly GetLiveJobs Instance = new();
    private GetLiveJobs() { }
}

public sealed record LiveJobs(IReadOnlyList<JobId> JobIds);
