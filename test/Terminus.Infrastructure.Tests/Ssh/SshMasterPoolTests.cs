using Terminus.Infrastructure.Ssh;

namespace Terminus.Infrastructure.Tests.Ssh;

/// <summary>The pool lends each connection to one upload at a time, the one used last first (no ssh is started here).</summary>
public sealed class SshMasterPoolTests
{
    private static SshMasterPool Pool(int size) => new("Galactica_storage", "/nonexistent/run", TimeSpan.FromSeconds(60), size, _ => { }, _ => { });

    [Fact]
    public async Task Concurrent_uploads_get_connections_of_their_own_and_the_one_returned_last_is_lent_first()
    {
        await using var pool = Pool(3);
        var a = await pool.LeaseAsync(CancellationToken.None);
        var b = await pool.LeaseAsync(CancellationToken.None);
        Assert.NotEqual(a.Master.ControlPath, b.Master.ControlPath);
        Assert.EndsWith("-1", a.Master.ControlPath);

        b.Dispose();
        b.Dispose(); // returned once only
        using var again = await pool.LeaseAsync(CancellationToken.None);
        Assert.Same(b.Master, again.Master);
        using var third = await pool.LeaseAsync(CancellationToken.None);
        Assert.NotSame(a.Master, third.Master);
        Assert.NotSame(b.Master, third.Master);
    }

    [Fact]
    public async Task When_every_connection_is_lent_the_next_upload_waits_for_one()
    {
        await using var pool = Pool(1);
        var only = await pool.LeaseAsync(CancellationToken.None);

        var waiting = pool.LeaseAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        only.Dispose();
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(only.Master, next.Master);
    }
}
