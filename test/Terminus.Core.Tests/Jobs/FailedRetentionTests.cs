using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public sealed class FailedRetentionTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Only_what_was_kept_for_the_whole_retention_expires_and_a_time_in_the_future_keeps_it()
    {
        var entries = new[]
        {
            ("b", Now.AddDays(-30)), ("a", Now.AddDays(-400)), ("fresh", Now.AddDays(-29.9)), ("future", Now.AddDays(3)),
        };

        Assert.Equal(["a", "b"], FailedRetention.Expired(entries, Now, TimeSpan.FromDays(30)));
    }
}
