using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public class JobLifecycleTests
{
    [Fact]
    public void The_happy_path_is_pending_running_success_uploaded()
    {
        JobPhase[] path = [JobPhase.Received, JobPhase.Pending, JobPhase.Running, JobPhase.Succeeded, JobPhase.Packaging, JobPhase.Uploading, JobPhase.Uploaded];
        for (var i = 1; i < path.Length; i++) Assert.True(JobLifecycle.CanMove(path[i - 1], path[i]), $"{path[i - 1]} -> {path[i]}");
        Assert.Equal(["pending", "running", "success", "uploaded"],
            path.Select(JobLifecycle.WireStatus).OfType<string>());
    }

    [Fact]
    public void Nothing_leaves_a_terminal_phase()
    {
        foreach (var terminal in new[] { JobPhase.Uploaded, JobPhase.Failed, JobPhase.TimedOut })
            foreach (var next in Enum.GetValues<JobPhase>())
                Assert.False(JobLifecycle.CanMove(terminal, next));
    }

    [Fact]
    public void No_phase_goes_backwards_to_pending()
    {
        foreach (var from in Enum.GetValues<JobPhase>().Where(p => p != JobPhase.Received))
            Assert.False(JobLifecycle.CanMove(from, JobPhase.Pending));
    }

    [Theory]
    [InlineData("success", true, true)]
    [InlineData("success", false, false)]
    [InlineData("uploaded", false, true)]
    [InlineData("failed", false, true)]
    [InlineData("timed_out", true, true)]
    [InlineData("running", false, false)]
    [InlineData("pending", true, false)]
    public void Terminal_statuses(string status, bool testMode, bool terminal) =>
        Assert.Equal(terminal, JobLifecycle.IsTerminalStatus(status, testMode));

    [Fact]
    public void Status_texts_are_those_of_terminus_0_7()
    {
        Assert.Equal("Post-processing service 'x' is not available.", StatusTexts.ServiceNotAvailable("x"));
        Assert.Equal("Raw simulation data directory 'a/b/c' not found.", StatusTexts.DataDirectoryNotFound("a/b/c"));
        Assert.Equal("Service configuration 'service.json' format not correct .", StatusTexts.ServiceInfoError);
        Assert.Equal("Job stopped with error message : 'boom'.", StatusTexts.StoppedWithError("boom"));
        Assert.Equal("Job successfully submitted (pending execution)", StatusTexts.Submitted);
    }
}
