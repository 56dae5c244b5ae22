using Terminus.Core.Execution;
using static Terminus.Core.Execution.UploadBatching;

namespace Terminus.Core.Tests.Execution;

public sealed class UploadBatchingTests
{
    private const long MiB = 1L << 20;

    private static Waiting[] Sizes(params long[] bytes) => bytes.Select(b => new Waiting(b)).ToArray();

    [Fact]
    public void Nothing_waiting_makes_no_batch() => Assert.Equal(0, NextBatch([]));

    [Fact]
    public void Small_tarballs_that_wait_together_go_together() => Assert.Equal(3, NextBatch(Sizes(900, 1_000, 2 * MiB)));

    [Fact]
    public void A_batch_stops_before_the_file_that_would_pass_the_byte_cap()
    {
        Assert.Equal(4, NextBatch(Sizes(16 * MiB, 16 * MiB, 16 * MiB, 16 * MiB, 1)));
        Assert.Equal(2, NextBatch(Sizes(16 * MiB, 16 * MiB, 16 * MiB + 1, 1)));
    }

    [Fact]
    public void A_batch_holds_at_most_max_files() => Assert.Equal(MaxFiles, NextBatch(Enumerable.Repeat(new Waiting(900), MaxFiles + 5).ToArray()));

    [Fact]
    public void A_large_tarball_goes_alone_and_is_never_added_to_small_ones()
    {
        Assert.Equal(1, NextBatch(Sizes(SmallFileBytes + 1, 1, 1)));
        Assert.Equal(2, NextBatch(Sizes(1, 1, SmallFileBytes + 1, 1)));
    }

    [Fact]
    public void A_tarball_refused_in_a_shared_rsync_goes_alone()
    {
        Assert.Equal(1, NextBatch([new Waiting(900, Alone: true), new Waiting(900)]));
        Assert.Equal(1, NextBatch([new Waiting(900), new Waiting(900, Alone: true)]));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(SmallFileBytes, true)]
    [InlineData(SmallFileBytes + 1, false)]
    public void Only_small_tarballs_share_an_rsync(long bytes, bool shares) => Assert.Equal(shares, new Waiting(bytes).MayShare);
}
