namespace Terminus.Actors.Execution.Containment;

/// <summary>The cgroup(s) of one local job, as the local runner uses them: where the launcher enters, who is inside.</summary>
public interface IJobCgroup
{
    /// <summary>The job's key (<c>job-&lt;id&gt;-run-&lt;n&gt;</c>), written to the ledger so a restarted daemon opens the same cgroup.</summary>
    string Key { get; }

    /// <summary>The <c>cgroup.procs</c> files the launcher writes its pid into before it starts the runner.</summary>
    IReadOnlyList<string> ProcsFiles { get; }

    /// <summary>Every process now in the job's cgroup(s).</summary>
    IReadOnlyCollection<int> Members();

    /// <summary>SIGKILL to every process in the job's cgroup(s), all at once where the kernel can (v2 <c>cgroup.kill</c>).</summary>
    void KillAll();

    /// <summary>How many of the job's processes the kernel killed for memory.</summary>
    long OomKills();

    /// <summary>The job's memory limit in MB, if it has one.</summary>
    long? MemoryLimitMb { get; }

    /// <summary>Removes the cgroup(s) once empty; a failure is only logged by the caller.</summary>
    void Remove();
}
