using Prometheus;
using Terminus.Core.Jobs;

namespace Terminus.Actors.Telemetry;

/// <summary>
/// Every metric the daemon exports on <c>/metrics</c> (prometheus-net, default registry: one daemon per process), with
/// the process's own (<c>process_*</c>, <c>dotnet_*</c>) beside them. Names follow Prometheus conventions (a
/// <c>terminus_</c> prefix, <c>_total</c> counters, base units in the name). Label values come from fixed sets, never
/// from message data: no job ids, no service names. docs/operations.md ("Metrics") lists them with example queries.
/// </summary>
public static class DaemonMetrics
{
    private static readonly double[] StepBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];
    private static readonly double[] FastBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly Counter JobsReceived = Metrics.CreateCounter("terminus_jobs_received_total",
        "Job requests accepted into the ledger (a request that comes again is not counted twice).");

    public static readonly Counter JobsFinished = Metrics.CreateCounter("terminus_jobs_finished_total",
        "Jobs retired with their terminal status confirmed by the broker, by that status.", "status");

    public static readonly Gauge JobsInPhase = Metrics.CreateGauge("terminus_jobs",
        "Jobs held by the daemon now, by phase (a terminal phase: ended, its last status or cleanup still on its way).", "phase");

    public static readonly Histogram PhaseDuration = Metrics.CreateHistogram("terminus_job_phase_duration_seconds",
        "Time a job spent in a phase, observed when it leaves it: queued (taken from the broker until validated), pending (until its service runs), running, packaging, uploading.",
        new HistogramConfiguration { LabelNames = ["phase"], Buckets = StepBuckets });

    public static readonly Counter Cancels = Metrics.CreateCounter("terminus_cancels_total",
        "Cancels taken, by who sent them (portal, operator) and what they found (stop_live, await_request, already_finished, already_taken).", "by", "decision");

    public static readonly Counter StatusesPublished = Metrics.CreateCounter("terminus_statuses_published_total",
        "Job statuses the broker confirmed.");

    public static readonly Counter StatusRetries = Metrics.CreateCounter("terminus_status_publish_retries_total",
        "Status publishes the broker did not confirm, each retried with backoff.");

    public static readonly Gauge StatusesUnconfirmed = Metrics.CreateGauge("terminus_statuses_unconfirmed",
        "Statuses queued for the portal and not yet confirmed by the broker.");

    public static readonly Gauge BrokerConnected = Metrics.CreateGauge("terminus_broker_connected",
        "1 while the connection is open: jobs and monitor (consumers), status and probe (publishers).", "connection");

    public static readonly Gauge BrokerCertificateExpiry = Metrics.CreateGauge("terminus_broker_certificate_expiry_timestamp_seconds",
        "When the broker's TLS certificate seen at the last handshake expires, in Unix time (absent without TLS).",
        new GaugeConfiguration { SuppressInitialValue = true });

    public static readonly Counter BrokerReconnects = Metrics.CreateCounter("terminus_broker_reconnects_total",
        "Connections opened again after one was lost or failed.", "connection");

    public static readonly Gauge Consuming = Metrics.CreateGauge("terminus_consuming",
        "1 while the daemon consumes the queue (jobs, monitor).", "queue");

    public static readonly Counter ProbesAnswered = Metrics.CreateCounter("terminus_probes_answered_total",
        "Liveness probes answered with update_server_online.");

    public static readonly Histogram ProbeLatency = Metrics.CreateHistogram("terminus_probe_answer_seconds",
        "From a probe's delivery to the broker's confirm of its answer.", new HistogramConfiguration { Buckets = FastBuckets });

    public static readonly Gauge IntakePaused = Metrics.CreateGauge("terminus_intake_paused",
        "1 for the reason new job requests are not taken now (slots_full, ledger_not_recovered, ledger_unwritable, host_unhealthy), 0 for the others.", "reason");

    public static readonly Gauge LedgerWritable = Metrics.CreateGauge("terminus_ledger_writable",
        "1 while the job ledger can be written (0: no job is taken and probes go unanswered until it can).");

    public static readonly Histogram LedgerWriteLatency = Metrics.CreateHistogram("terminus_ledger_write_seconds",
        "Time of one ledger commit (group commit: one fsync for every write that waited).", new HistogramConfiguration { Buckets = FastBuckets });

    public static readonly Counter SlurmCommands = Metrics.CreateCounter("terminus_slurm_commands_total",
        "SLURM commands run, by command (sbatch, squeue, sacct, scontrol, scancel) and outcome (ok, failed, timeout).", "command", "outcome");

    public static readonly Histogram SlurmPollLatency = Metrics.CreateHistogram("terminus_slurm_poll_seconds",
        "Time of one poll of SLURM for every job the daemon follows.", new HistogramConfiguration { Buckets = FastBuckets });

    public static readonly Counter UploadBytes = Metrics.CreateCounter("terminus_upload_bytes_total",
        "Bytes of tarballs uploaded to the portal's storage.");

    public static readonly Histogram UploadDuration = Metrics.CreateHistogram("terminus_upload_duration_seconds",
        "Time of one job's upload, from the start of the rsync that carried it to its end (retries included).",
        new HistogramConfiguration { Buckets = StepBuckets });

    public static readonly Counter UploadRetries = Metrics.CreateCounter("terminus_upload_retries_total",
        "rsyncs tried again (a network failure, or a file sent again alone after a shared rsync was refused).");

    private static readonly HashSet<string> Opened = [];

    /// <summary>A broker connection is open (a consumer consumes, a publisher has its channel); counts a reconnect after the first.</summary>
    public static void ConnectionUp(string connection)
    {
        lock (Opened)
            if (!Opened.Add(connection)) BrokerReconnects.WithLabels(connection).Inc();
        BrokerConnected.WithLabels(connection).Set(1);
    }

    public static void ConnectionDown(string connection) => BrokerConnected.WithLabels(connection).Set(0);

    /// <summary>A consumer registered on its queue (its connection open) or stopped.</summary>
    public static void Consumer(string queue, bool consuming)
    {
        if (consuming) ConnectionUp(queue);
        else ConnectionDown(queue);
        Consuming.WithLabels(queue).Set(consuming ? 1 : 0);
    }

    /// <summary>Before each scrape: the intake's state, read from the admission gate.</summary>
    public static void ShowIntake(Intake.AdmissionGate gate)
    {
        var reason = gate.PauseLabel;
        foreach (var r in Intake.AdmissionGate.PauseLabels) IntakePaused.WithLabels(r).Set(r == reason ? 1 : 0);
        LedgerWritable.Set(gate.LedgerProblem is null ? 1 : 0);
    }

    /// <summary>The histogram's name for the time spent in <paramref name="phase"/>, or null for phases it does not measure.</summary>
    public static string? DurationLabel(JobPhase phase) => phase switch
    {
        JobPhase.Received => "queued",
        JobPhase.Pending => "pending",
        JobPhase.Running => "running",
        JobPhase.Packaging => "packaging",
        JobPhase.Uploading => "uploading",
        _ => null,
    };

    /// <summary>A terminal status as a label: one of the wire statuses, never a text from a message.</summary>
    public static string StatusLabel(string status) => status is JobStatuses.Uploaded or JobStatuses.Success or JobStatuses.Failed or JobStatuses.TimedOut
        ? status : "other";
}
