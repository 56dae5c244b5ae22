using Terminus.Core.Containment;

namespace Terminus.Core.Tests.Containment;

public sealed class CgroupNamesTests
{
    [Fact]
    public void The_instance_key_depends_on_the_job_directory_only()
    {
        var key = CgroupNames.InstanceKey("/home/anais/jobs");
        Assert.Matches("^terminus-[0-9a-f]{8}$", key);
        Assert.Equal(key, CgroupNames.InstanceKey("/home/anais/jobs/"));
        Assert.NotEqual(key, CgroupNames.InstanceKey("/home/bob/jobs"));
        Assert.True(CgroupNames.IsValidKey(key));
    }

    [Fact]
    public void A_job_key_names_the_job_and_its_run() =>
        Assert.Equal("job-42-run-1", CgroupNames.JobKey(42, 1));

    [Theory]
    [InlineData("job-42-run-1", true)]
    [InlineData("terminus-1a2b3c4d", true)]
    [InlineData("", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("memory.max", false)]
    [InlineData("-x", false)]
    public void Keys_are_single_plain_directory_names(string key, bool valid) =>
        Assert.Equal(valid, CgroupNames.IsValidKey(key));
}
