using Terminus.Core.Operator;

namespace Terminus.Core.Tests.Operator;

public class CheckLineTests
{
    [Theory]
    [InlineData(CheckVerdict.Ok, "[ ok ] broker: logged in")]
    [InlineData(CheckVerdict.Warn, "[warn] broker: logged in")]
    [InlineData(CheckVerdict.Fail, "[FAIL] broker: logged in")]
    public void A_line_is_written_and_read_back_with_its_verdict(CheckVerdict verdict, string line)
    {
        Assert.Equal(line, CheckLine.Format(verdict, "broker", "logged in"));
        Assert.Equal(verdict, CheckLine.VerdictOf(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Unhandled exception. System.Exception: boom")]
    [InlineData(" [FAIL] indented")]
    public void Anything_else_is_no_check_line(string line) => Assert.Null(CheckLine.VerdictOf(line));
}
