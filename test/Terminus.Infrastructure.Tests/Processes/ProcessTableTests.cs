using System.Diagnostics;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Tests.Processes;

public sealed class ProcessTableTests
{
    [Fact]
    public void Descendants_are_found_at_any_depth_and_a_cycle_cannot_loop()
    {
        ProcStat P(int pid, int ppid) => new(pid, 'S', ppid, pid, 1);
        var all = new[] { P(10, 1), P(11, 10), P(12, 11), P(13, 1), P(14, 12), P(20, 21), P(21, 20) };
        Assert.Equal([11, 12, 14], ProcessTable.Descendants(10, all).Order());
        Assert.Empty(ProcessTable.Descendants(13, all));
        Assert.Equal([21], ProcessTable.Descendants(20, all)); // a cycle ends at the root, never lists it
    }

    [Fact]
    public void A_process_is_recognised_by_its_start_time_and_its_exact_environment_entry()
    {
        var psi = new ProcessStartInfo("sleep", ["30"]);
        psi.Environment["TERMINUS_RUN_TOKEN"] = "abc123";
        using var sleeper = Process.Start(psi)!;
        try
        {
            var stat = ProcessTable.Read(sleeper.Id)!.Value;
            Assert.True(ProcessTable.IsAlive(sleeper.Id, stat.StartTicks));
            Assert.False(ProcessTable.IsAlive(sleeper.Id, stat.StartTicks + 1)); // same pid, another process
            Assert.True(ProcessTable.HasEnvironmentEntry(sleeper.Id, "TERMINUS_RUN_TOKEN=abc123"));
            Assert.False(ProcessTable.HasEnvironmentEntry(sleeper.Id, "TERMINUS_RUN_TOKEN=abc12"));
            Assert.False(ProcessTable.HasEnvironmentEntry(sleeper.Id, "TERMINUS_RUN_TOKEN=abc1234"));
            Assert.Contains(Environment.ProcessId, ProcessTable.SelfAndAncestors());
            Assert.DoesNotContain(sleeper.Id, ProcessTable.SelfAndAncestors());
            Assert.True(ProcessTable.Age(stat.StartTicks) < TimeSpan.FromMinutes(5));
        }
        finally { sleeper.Kill(); }
    }
}
