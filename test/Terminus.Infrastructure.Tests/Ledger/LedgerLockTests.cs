using System.Diagnostics;
using Terminus.Infrastructure.Ledger;

namespace Terminus.Infrastructure.Tests.Ledger;

/// <summary>One daemon per ledger: the lock is exclusive, names its holder to the one it refuses, and is free again once
/// its holder lets go, even while processes the holder started still run.</summary>
public sealed class LedgerLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-lock-").FullName;

    private string Ledger => Path.Combine(_dir, "ledger", "terminus-ledger.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_second_taker_is_refused_and_told_who_holds_it()
    {
        using var first = LedgerLock.TryTake(Ledger, out _);
        Assert.NotNull(first);

        var second = LedgerLock.TryTake(Ledger, out var holder);

        Assert.Null(second);
        Assert.Equal($"pid {Environment.ProcessId} on {Environment.MachineName}", holder);
    }

    [Fact]
    public void Once_let_go_it_is_free_again_though_a_process_its_holder_started_still_runs()
    {
        var first = LedgerLock.TryTake(Ledger, out _)!;
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            first.Dispose();

            using var again = LedgerLock.TryTake(Ledger, out var holder);

            Assert.True(again is not null, $"refused while its old holder's child runs: {holder}");
        }
        finally { child.Kill(); }
    }
}
