using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class UploadBatchingTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void Nothing_waiting_makes_no_batch() => Assert.Equal(0, UploadBatching.NextBatch([]));

    [Fact]
    public void Small_tarballs_that_wait_together_go_together() => Assert.Equal(3, UploadBatching.NextBatch([900, 1_000, 2 * MiB]));

    [Fact]
    public void A_batch_stops_before_the_file_that_would_pass_the_byte_cap()
    {
        Assert.Equal(4, UploadBatching.NextBatch([16 * MiB, 16 * MiB, 16 * MiB, 16 * MiB, 1]));
        Assert.Equal(2, UploadBatching.NextBatch([16 * MiB, 16 * MiB, 32 * MiB + 1, 1]));
    }

    [Fact]
    public void A_batch_holds_at_most_max_files() =>
        Assert.Equal(UploadBatching.MaxFiles, UploadBatching.NextBatch(Enumerable.Repeat(900L, UploadBatching.MaxFiles + 5).ToArray()));

    [Fact]
    public void The_first_waiting_file_always_goes_even_past_the_cap() => Assert.Equal(1, UploadBatching.NextBatch([UploadBatching.MaxBytes + 1, 1]));

    [Theory]
    [InlineData(0, true)]
    [InlineData(UploadBatching.SmallFileBytes, true)]
    [InlineData(UploadBatching.SmallFileBytes + 1, false)]
    public void Only_small_tarballs_share_an_rsync(long bytes, bool shares) => Assert.Equal(shares, UploadBatching.MayShare(bytes));
}
