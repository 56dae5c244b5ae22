using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Tests.Processes;

public sealed class BoundedProcessTests
{
    [Fact]
    public async Task A_command_gives_its_exit_code_and_both_outputs()
    {
        var r = await BoundedProcess.RunAsync("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(30));
        Assert.Equal((3, "out\n", "err\n"), (r.ExitCode, r.StdOut, r.StdErr));
    }

    [Fact]
    public async Task A_command_that_does_not_answer_in_time_is_killed_with_124()
    {
        var r = await BoundedProcess.RunAsync("/bin/sleep", ["30"], TimeSpan.FromMilliseconds(300));
        Assert.Equal(124, r.ExitCode);
        Assert.Contains("did not answer", r.StdErr);
    }

    [Fact]
    public async Task A_program_that_cannot_start_gives_127()
    {
        var r = await BoundedProcess.RunAsync("/no/such/program", [], TimeSpan.FromSeconds(30));
        Assert.Equal(127, r.ExitCode);
    }

    [Fact]
    public async Task With_an_environment_the_command_gets_that_one_and_nothing_else()
    {
        var r = await BoundedProcess.RunAsync("/usr/bin/env", [], TimeSpan.FromSeconds(30), environment: new Dictionary<string, string> { ["ONLY"] = "this" });
        Assert.Equal("ONLY=this\n", r.StdOut);
    }
}
