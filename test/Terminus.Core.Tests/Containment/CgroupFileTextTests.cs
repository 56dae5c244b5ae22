using Terminus.Core.Containment;

namespace Terminus.Core.Tests.Containment;

public sealed class CgroupFileTextTests
{
    [Fact]
    public void The_oom_kill_count_is_read_from_v2_memory_events_and_v1_oom_control()
    {
        Assert.Equal(2, CgroupFileText.Value("low 0\nhigh 0\nmax 17\noom 2\noom_kill 2\noom_group_kill 0\n", "oom_kill"));
        Assert.Equal(1, CgroupFileText.Value("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", "oom_kill"));
        Assert.Equal(0, CgroupFileText.Value("populated 0\nfrozen 0\n", "populated"));
        Assert.Null(CgroupFileText.Value("oom_kill_disable 0\nunder_oom 0\n", "oom_kill")); // a kernel older than 4.13
    }

    [Fact]
    public void Pids_are_read_and_those_outside_our_namespace_left_out()
    {
        Assert.Equal([12, 3456], CgroupFileText.Pids("12\n0\n3456\n"));
        Assert.Empty(CgroupFileText.Pids(""));
    }

    [Fact]
    public void Single_numbers_are_read_and_max_is_none()
    {
        Assert.Equal(9223372036854771712, CgroupFileText.Number("9223372036854771712\n"));
        Assert.Equal(-1, CgroupFileText.Number("-1"));
        Assert.Null(CgroupFileText.Number("max\n"));
    }
}
