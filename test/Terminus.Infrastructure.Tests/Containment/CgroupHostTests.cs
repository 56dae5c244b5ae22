using Terminus.Core.Containment;
using Terminus.Infrastructure.Containment;
using Xunit.Abstractions;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>Detection and activation on this host's real cgroups.</summary>
public sealed class CgroupHostTests(ITestOutputHelper output)
{
    [Fact]
    public void The_probe_describes_this_host_and_creates_nothing()
    {
        var key = "terminus-test" + Guid.NewGuid().ToString("N")[..8];

        var probe = CgroupHost.Probe(key);

        output.WriteLine($"{probe.Mechanism}: {probe.Description}");
        Assert.StartsWith(probe.IsUsable ? "cgroup " : "none: ", probe.Description);
        Assert.All(probe.Trees, t => Assert.False(Directory.Exists(t.Directory), $"the probe created {t.Directory}"));
    }

    [CgroupFact]
    public void Activation_creates_the_instance_directories_and_limits_are_written_as_asked()
    {
        using var sandbox = new CgroupSandbox();
        Assert.All(sandbox.Host.Trees, t => Assert.True(Directory.Exists(t.Directory)));
        output.WriteLine(sandbox.Host.Description);

        var job = sandbox.Host.CreateJob("job-8-run-1", new JobLimits(64, 50));
        Assert.Equal(sandbox.Host.Trees.Count, job.ProcsFiles.Count);
        AssertLimits(sandbox.Host, job, memory: 64L << 20, tasks: "50");

        // Created again by a restarted daemon with other limits: exactly these, in either direction of memory+swap.
        AssertLimits(sandbox.Host, sandbox.Host.CreateJob("job-8-run-1", new JobLimits(4096, null)), memory: 4096L << 20, tasks: "max");
        AssertLimits(sandbox.Host, sandbox.Host.CreateJob("job-8-run-1", new JobLimits(32, 7)), memory: 32L << 20, tasks: "7");
        AssertLimits(sandbox.Host, sandbox.Host.CreateJob("job-8-run-1", JobLimits.None), memory: null, tasks: "max");
        job.Remove();
    }

    private static void AssertLimits(CgroupHost host, JobCgroup job, long? memory, string tasks)
    {
        Assert.Equal(host.Trees.Any(t => t.Has("memory")) ? memory >> 20 : null, job.MemoryLimitMb);
        foreach (var (tree, directory) in host.Trees.Zip(job.Directories))
        {
            string Read(string file) => File.ReadAllText(Path.Combine(directory, file)).Trim();
            if (tree.Has("pids")) Assert.Equal(tasks, Read("pids.max"));
            if (!tree.Has("memory")) continue;
            if (tree.Version == CgroupVersion.V2)
            {
                Assert.Equal(memory?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "max", Read("memory.max"));
                continue;
            }
            var unlimited = CgroupFileText.Number(Read("memory.limit_in_bytes")) > 1L << 60;
            Assert.Equal(memory, unlimited ? null : CgroupFileText.Number(Read("memory.limit_in_bytes")));
            if (File.Exists(Path.Combine(directory, "memory.memsw.limit_in_bytes")))
                Assert.Equal(Read("memory.limit_in_bytes"), Read("memory.memsw.limit_in_bytes"));
        }
    }
}
