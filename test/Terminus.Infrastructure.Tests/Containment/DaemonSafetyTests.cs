using System.Globalization;
using Terminus.Core.Containment;
using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>A job cgroup that the daemon itself ended up in by mistake: killing the job must not kill the daemon.</summary>
[Collection(AloneCollection.Name)]
public sealed class DaemonSafetyTests : IDisposable
{
    private readonly Lazy<CgroupSandbox> _sandbox = new(() => new CgroupSandbox());

    public void Dispose()
    {
        if (_sandbox.IsValueCreated) _sandbox.Value.Dispose();
    }

    [CgroupFact]
    public async Task Kill_never_signals_the_daemon_even_inside_the_job()
    {
        var job = _sandbox.Value.Host.CreateJob("job-7-run-1", JobLimits.None);
        var service = _sandbox.Value.Launch(job, "exec sleep 300");
        await Eventually.True(() => job.Members().Contains(service.Id), "the service is a member");
        var layout = CgroupLayout.Parse(File.ReadAllText("/proc/self/cgroup"), File.ReadAllText("/proc/self/mountinfo"));
        var ownProcsFiles = _sandbox.Value.Host.Trees
            .Select(t => t.Version == CgroupVersion.V2 ? layout.Unified! : layout.V1(t.Controllers[0])!)
            .Select(h => Path.Combine(h.OwnDirectory!, "cgroup.procs")).ToList();
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            foreach (var file in job.ProcsFiles) File.WriteAllText(file, self);
            Assert.DoesNotContain(Environment.ProcessId, job.Members());

            Assert.Equal(1, job.Kill(JobCgroup.SigKill));

            await Eventually.True(() => service.HasExited, "the service was killed");
        }
        finally
        {
            // Back where this test process came from, so that the job's cgroup can go.
            foreach (var file in ownProcsFiles) File.WriteAllText(file, self);
        }
        Assert.True(await job.WaitUntilEmptyAsync(TimeSpan.FromSeconds(30)));
        job.Remove();
    }
}
