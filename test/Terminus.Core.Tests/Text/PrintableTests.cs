using Terminus.Core.Text;

namespace Terminus.Core.Tests.Text;

public class PrintableTests
{
    [Theory]
    [InlineData("a\nb", "a?b")]
    [InlineData("task\r\n[12:00:00 INF] Job #1: uploaded", "task??[12:00:00 INF] Job #1: uploaded")]
    [InlineData("a\u2028b\u2029c\u0085d", "a?b?c?d")]
    [InlineData("evil\u202Egnp.exe", "evil?gnp.exe")]
    [InlineData("café ☃ 数据", "café ☃ 数据")]
    public void A_value_from_a_message_stays_on_one_visible_line(string value, string shown) =>
        Assert.Equal(shown, Printable.Line(value));

    [Fact]
    public void Long_values_are_cut_and_absent_ones_say_so()
    {
        Assert.Equal(new string('x', 120) + "...", Printable.Line(new string('x', 500)));
        Assert.Equal("abc...", Printable.Line("abcdef", 3));
        Assert.Equal("(none)", Printable.Line(null));
    }
}
