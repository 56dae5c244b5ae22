using System.Globalization;
using System.Text;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;

namespace Terminus.Core.Slurm;

/// <summary>
/// The batch script of a SLURM job: 0.7's header (-N, -n, --time in D-HH:MM, job name, output files in the job
/// directory) over the same fixed runner as local jobs. Only validated integers, safe names (host, job name) and
/// configured paths enter it, quoted for the shell; the request itself stays in <c>terminus_request.json</c>.
/// With a sandbox, the node runs the runner inside it where bwrap works there (<see cref="SlurmSandboxScript"/>).
/// </summary>
public static class SlurmScript
{
    public const string FileName = "terminus_job.sh";

    /// <summary>The job name, which also tags this daemon's jobs: <c>terminus-&lt;host&gt;-&lt;jobid&gt;</c>.</summary>
    public static string JobName(string host, JobId jobId) => $"terminus-{host}-{jobId}";

    /// <summary>0.7's time format: <c>"{DD:02d}-{HH:02d}:{MM:02d}"</c>.</summary>
    public static string FormatTime(int minutes) =>
        string.Create(CultureInfo.InvariantCulture, $"{minutes / 1440:00}-{minutes % 1440 / 60:00}:{minutes % 60:00}");

    /// <param name="sandbox">The job's sandbox (<c>auto</c> or <c>on</c>); null: none, as before.</param>
    public static string Build(JobSpec spec, string host, string runnerInterpreter, JobPaths paths, SlurmSandbox? sandbox = null)
    {
        var s = spec.Service;
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={JobName(host, spec.JobId)}\n");
        script.Append(CultureInfo.InvariantCulture, $"#SBATCH -N {s.Nodes}\n");
        script.Append(CultureInfo.InvariantCulture, $"#SBATCH -n {s.Cores}\n");
        script.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={FormatTime(s.TimeoutMinutes)}\n");
        script.Append("#SBATCH --output=stdout.log\n");
        script.Append("#SBATCH --error=stderr.log\n");
        script.Append("#SBATCH --open-mode=append\n");
        script.Append(CultureInfo.InvariantCulture, $"# Terminus job {spec.JobId} (service {spec.ServiceName}), written by terminus-daemon: the request is in terminus_request.json\n");
        var runner = $"{Quote(runnerInterpreter)} {Quote(paths.RunnerScript)} {Quote(paths.RequestFile)}";
        if (sandbox is null || sandbox.Mode == SandboxMode.Off) script.Append(CultureInfo.InvariantCulture, $"exec {runner}\n");
        else script.Append(SlurmSandboxScript.Lines(sandbox, runner, Path.Combine(paths.OutDir, "job.log")));
        return script.ToString();
    }

    /// <summary>POSIX shell single quotes: nothing inside is interpreted.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
