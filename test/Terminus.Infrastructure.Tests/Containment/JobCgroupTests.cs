using Terminus.Core.Containment;
using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>Job cgroups on this host's real cgroups: membership however a process detaches, kill, OOM kills, the task limit, removal.</summary>
public sealed class JobCgroupTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly Lazy<CgroupSandbox> _sandbox = new(() => new CgroupSandbox());

    private CgroupSandbox Sandbox => _sandbox.Value;

    public void Dispose()
    {
        if (_sandbox.IsValueCreated) _sandbox.Value.Dispose();
    }

    [CgroupFact]
    public async Task Members_include_processes_that_detach_and_kill_leaves_none()
    {
        var job = Sandbox.Host.CreateJob("job-1-run-1", JobLimits.None);
        var plain = Sandbox.Launch(job, "exec sleep 300");
        var daemonizing = Sandbox.Launch(job, "setsid sh -c 'sleep 301 &'");
        var doubleForking = Sandbox.Launch(job, "(nohup sleep 302 >/dev/null 2>&1 &); exit 0");

        // The two launchers that detached their sleep end; the sleeps, re-parented and in a session of their own, stay members.
        await Eventually.True(() => daemonizing.HasExited && doubleForking.HasExited
            && job.Members().Select(ProcessState.CommandLine).Order().SequenceEqual(["sleep 300", "sleep 301", "sleep 302"]),
            "the three sleeps are the members");
        var members = job.Members().ToDictionary(pid => pid, ProcessState.StartTicks);
        Assert.Contains(plain.Id, members.Keys);
        var detached = members.Keys.Single(pid => ProcessState.CommandLine(pid) == "sleep 301");
        Assert.NotEqual(ProcessState.Session(Environment.ProcessId), ProcessState.Session(detached)); // setsid: a session of its own
        Assert.DoesNotContain(Environment.ProcessId, members.Keys);

        Assert.True(await job.KillAllAsync(Generous), "the job's cgroup did not empty");

        Assert.True(job.IsEmpty());
        Assert.Empty(job.Members());
        await Eventually.True(() => members.All(m => !ProcessState.IsAlive(m.Key, m.Value)), "every member has died");
        job.Remove();
        Assert.All(job.Directories, d => Assert.False(Directory.Exists(d), $"{d} is still there"));
        job.Remove(); // already gone: fine
    }

    [CgroupFact("memory")]
    public async Task A_process_that_allocates_past_the_memory_limit_is_counted_as_an_oom_kill()
    {
        var job = Sandbox.Host.CreateJob("job-2-run-1", new JobLimits(64, null));
        Assert.Equal(0L, job.OomKills());
        Assert.Equal(64L, Sandbox.Host.OpenJob("job-2-run-1")!.MemoryLimitMb); // as the kernel holds it, after a restart too

        var hog = Sandbox.Launch(job, "exec /usr/bin/python3 -c \"b = b'x' * (300 * 1024 * 1024)\"");

        await hog.WaitForExitAsync(new CancellationTokenSource(Generous).Token);
        Assert.Equal(137, hog.ExitCode); // 128 + SIGKILL: the kernel's OOM killer
        await Eventually.True(() => job.OomKills() >= 1, "the OOM kill is counted");
        Assert.True(await job.WaitUntilEmptyAsync(Generous));
        job.Remove();
    }

    [CgroupFact("pids")]
    public async Task A_fork_bomb_stops_at_the_task_limit_and_is_killed_whole()
    {
        const int limit = 20;
        var job = Sandbox.Host.CreateJob("job-3-run-1", new JobLimits(null, limit));

        // The sleeps leave the shell's stderr to it, so that reading it ends with the shell.
        var bomb = Sandbox.Launch(job, "i=0; while [ $i -lt 200 ]; do sleep 300 </dev/null >/dev/null 2>&1 & i=$((i+1)); done");

        // The kernel refuses the forks past the limit; the sleeps started until then stay behind.
        var error = await bomb.StandardError.ReadToEndAsync(new CancellationTokenSource(Generous).Token);
        await bomb.WaitForExitAsync(new CancellationTokenSource(Generous).Token);
        Assert.Contains("fork", error, StringComparison.OrdinalIgnoreCase);
        var members = job.Members();
        Assert.InRange(members.Count, 1, limit);
        Assert.All(members, pid => Assert.Equal("sleep 300", ProcessState.CommandLine(pid)));

        Assert.True(await job.KillAllAsync(Generous));
        job.Remove();
    }

    [CgroupFact]
    public async Task A_restarted_daemon_opens_the_job_cgroup_by_its_key()
    {
        var job = Sandbox.Host.CreateJob("job-4-run-2", JobLimits.None);
        var service = Sandbox.Launch(job, "exec sleep 300");
        await Eventually.True(() => job.Members().Contains(service.Id), "the service is a member");

        var restarted = CgroupHost.Activate(Sandbox.InstanceKey);

        Assert.Equal(["job-4-run-2"], restarted.JobKeys());
        Assert.Null(restarted.OpenJob("job-4-run-3"));
        var reopened = restarted.OpenJob("job-4-run-2")!;
        Assert.Equal(job.ProcsFiles, reopened.ProcsFiles);
        Assert.Equal([service.Id], reopened.Members());
        // Creating it again (a launch retried after the restart) reuses it as it is.
        Assert.Equal([service.Id], restarted.CreateJob("job-4-run-2", JobLimits.None).Members());

        Assert.True(await reopened.KillAllAsync(Generous));
        await Eventually.True(() => service.HasExited, "the service has ended");
        reopened.Remove();
    }

    [CgroupFact]
    public async Task Remove_refuses_while_a_process_is_inside()
    {
        var job = Sandbox.Host.CreateJob("job-5-run-1", JobLimits.None);
        var service = Sandbox.Launch(job, "exec sleep 300");
        await Eventually.True(() => job.Members().Contains(service.Id), "the service is a member");

        var refused = Assert.Throws<CgroupException>(job.Remove);
        Assert.Contains("processes are still inside", refused.Message);

        Assert.True(await job.KillAllAsync(Generous));
        job.Remove();
    }

    [CgroupFact]
    public async Task Sigterm_reaches_every_member_once_and_lets_them_end_by_themselves()
    {
        var job = Sandbox.Host.CreateJob("job-6-run-1", JobLimits.None);
        // Each shell traps SIGTERM and leaves a mark before it exits.
        var marks = Directory.CreateTempSubdirectory("terminus-cgroup-").FullName;
        try
        {
            Sandbox.Launch(job, $"trap 'touch {marks}/a; exit 0' TERM; sleep 300 & wait");
            var detaching = Sandbox.Launch(job, $"setsid sh -c \"trap 'touch {marks}/b; exit 0' TERM; sleep 300 & wait\" &");
            await Eventually.True(() => detaching.HasExited && job.Members().Count(pid => ProcessState.CommandLine(pid) == "sleep 300") == 2,
                "two shells and their sleeps are the members");

            Assert.Equal(4, job.Kill(15)); // not the touch each trap starts

            Assert.True(await job.WaitUntilEmptyAsync(Generous), "SIGTERM did not end the job");
            Assert.True(File.Exists(Path.Combine(marks, "a")) && File.Exists(Path.Combine(marks, "b")), "a shell did not get its SIGTERM");
            job.Remove();
        }
        finally { Directory.Delete(marks, recursive: true); }
    }
}
