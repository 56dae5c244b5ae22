namespace Terminus.Core.Jobs;

/// <summary>
/// Where a job's files live (0.7's layout, docs/operations.md): <c>&lt;JOB_DIR&gt;/&lt;jobid&gt;_&lt;svc&gt;/out/</c> holds what the user
/// receives; our bookkeeping files sit beside <c>out/</c>, never inside it, so they never reach the tarball.
/// The runner's file names are fixed by <c>terminus_runner.py</c>.
/// </summary>
public sealed record JobPaths(string JobRoot, string JobName, string ServiceName)
{
    public const string FailedDirName = "__failed";

    public static JobPaths For(string jobRoot, JobSpec spec) => new(jobRoot, spec.JobName, spec.ServiceName);

    public string JobDir => Path.Combine(JobRoot, JobName);
    public string OutDir => Path.Combine(JobDir, "out");
    /// <summary>The fixed runner script, copied into each job directory (so SLURM nodes and restarts see the same one).</summary>
    public string RunnerScript => Path.Combine(JobDir, "terminus_runner.py");
    /// <summary>The request as the runner reads it (never source code).</summary>
    public string RequestFile => Path.Combine(JobDir, "terminus_request.json");
    /// <summary>Written by the runner first: its pid, process group and start time.</summary>
    public string RunnerRecordFile => Path.Combine(JobDir, "terminus_runner.json");
    /// <summary>Status events appended by the runner, one JSON object per line.</summary>
    public string StatusFile => Path.Combine(JobDir, "terminus_status.jsonl");
    /// <summary>Written once, atomically, when the runner ends.</summary>
    public string ExitFile => Path.Combine(JobDir, "terminus_exit.json");
    public string StdoutFile => Path.Combine(JobDir, "stdout.log");
    public string StderrFile => Path.Combine(JobDir, "stderr.log");
    public string UploadLog => Path.Combine(JobDir, "rsync.log");
    /// <summary>The SLURM batch script (<c>Slurm.SlurmScript</c>).</summary>
    public string BatchScript => Path.Combine(JobDir, "terminus_job.sh");
    /// <summary>The SLURM job id, written as soon as sbatch gave it, so a restarted daemon finds the job again.</summary>
    public string SlurmRecordFile => Path.Combine(JobDir, "terminus_slurm.json");
    /// <summary><c>&lt;jobid&gt;_&lt;svc&gt;.tar.gz</c>, whose archive root is <c>&lt;svc&gt;/</c>.</summary>
    public string Tarball => Path.Combine(JobDir, $"{JobName}.tar.gz");
    public string FailedDir => Path.Combine(JobRoot, FailedDirName, JobName);
}
