using System.Diagnostics;
using Terminus.Infrastructure.Processes;

namespace Terminus.Infrastructure.Tests.Processes;

public sealed class SignalsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(-4242)]
    public void Init_a_group_and_every_process_are_never_signalled(int pid) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Signals.Send(pid, Signals.Kill));

    [Fact]
    public void The_daemon_itself_is_never_signalled() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Signals.Send(Environment.ProcessId, Signals.Kill));

    [Fact]
    public async Task A_tree_is_killed_whole_and_a_gone_process_is_no_error()
    {
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "sleep 300 & sleep 300 & wait"]))!;
        var children = await WaitForChildrenAsync(shell.Id, 2);
        Signals.KillTree(shell.Id);
        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var child in children)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (ProcessTable.IsAlive(child, null) && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.False(ProcessTable.IsAlive(child, null), $"child {child} survived");
        }
        Assert.False(Signals.Send(shell.Id, Signals.Term)); // reaped: gone
    }

    private static async Task<IReadOnlyList<int>> WaitForChildrenAsync(int parent, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var children = ProcessTable.Descendants(parent, ProcessTable.All());
            if (children.Count >= count || DateTime.UtcNow > deadline) return children;
            await Task.Delay(20);
        }
    }
}
