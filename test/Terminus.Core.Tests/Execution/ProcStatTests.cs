using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class ProcStatTests
{
    [Fact]
    public void A_stat_line_gives_state_parent_group_and_start_time_even_with_parentheses_and_spaces_in_the_name()
    {
        const string line = "4242 (evil) name (x)) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615";
        Assert.Equal(new ProcStat(4242, 'S', 17, 4242, 987654), ProcStat.Parse(4242, line));
        Assert.True(ProcStat.Parse(1, "1 (z) Z 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0")!.Value.IsZombie);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (no closing paren S 1 1")]
    [InlineData("12 (short) S 1 1 1")]
    [InlineData("12 (bad) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0")]
    public void Anything_else_is_not_a_stat_line(string text) => Assert.Null(ProcStat.Parse(12, text));
}
