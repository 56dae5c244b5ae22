using Terminus.Core.Configuration;
using Terminus.Core.Containment;
using Terminus.Core.Services;

namespace Terminus.Core.Tests.Containment;

public sealed class JobLimitsTests
{
    private static readonly ServiceDefinition Service = new("svc", "/s", ServiceType.Python, "/bin/sh", "/s/svc.py", 1, 1, 1);

    [Fact]
    public void Without_limits_of_its_own_a_service_gets_the_hosts_defaults()
    {
        Assert.Equal(new JobLimits(null, 4096), JobLimits.For(Service, ExecutionSettings.Default));
        Assert.Equal(new JobLimits(2048, 100), JobLimits.For(Service, ExecutionSettings.Default with { JobMemoryMb = 2048, JobMaxTasks = 100 }));
    }

    [Fact]
    public void A_services_own_limits_win_over_the_hosts()
    {
        var host = ExecutionSettings.Default with { JobMemoryMb = 2048, JobMaxTasks = 100 };
        Assert.Equal(new JobLimits(512, 100), JobLimits.For(Service with { MemoryMb = 512 }, host));
        Assert.Equal(new JobLimits(2048, 20000), JobLimits.For(Service with { MaxTasks = 20000 }, host));
        Assert.Equal(new JobLimits(64, 10), JobLimits.For(Service with { MemoryMb = 64, MaxTasks = 10 }, ExecutionSettings.Default));
    }

    [Fact]
    public void Memory_is_given_in_bytes_to_the_kernel_and_said_in_MB_to_people()
    {
        Assert.Equal(64L * 1024 * 1024, new JobLimits(64, null).MemoryBytes);
        Assert.Equal(3L * 1024 * 1024 * 1024 * 1024, new JobLimits(3 * 1024 * 1024, null).MemoryBytes); // no int overflow
        Assert.Null(JobLimits.None.MemoryBytes);
        Assert.Equal("64 MB of memory, 10 tasks", new JobLimits(64, 10).ToString());
        Assert.Equal("no memory limit, no task limit", JobLimits.None.ToString());
    }
}
