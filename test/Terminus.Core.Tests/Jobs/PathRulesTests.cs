using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public class PathRulesTests
{
    [Theory]
    [InlineData("GAL_FORMATION")]
    [InlineData("my-service")]
    [InlineData("3d_cube")]
    [InlineData("output_00003")]
    [InlineData("a.b")]
    public void Safe_segments(string value) => Assert.True(PathRules.IsSafeSegment(value));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-rf")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc")]
    [InlineData("a b")]
    [InlineData("a\n")]
    [InlineData("a\0")]
    [InlineData("é")]
    public void Unsafe_segments(string value) => Assert.False(PathRules.IsSafeSegment(value));

    [Fact]
    public void Segments_are_bounded_in_length()
    {
        Assert.True(PathRules.IsSafeSegment(new string('a', 255)));
        Assert.False(PathRules.IsSafeSegment(new string('a', 256)));
    }

    [Theory]
    [InlineData("output_00012")]
    [InlineData("output_00012;BIG")]
    [InlineData("12")]
    [InlineData("sub/output_1")]
    [InlineData("a..b")]
    public void Data_references_inside_the_simulation_directory(string value) => Assert.Null(PathRules.DataRefProblem(value));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("..", "'..'")]
    [InlineData("../../etc/passwd", "'..'")]
    [InlineData("a/../../b", "'..'")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("~root", "relative")]
    [InlineData("x\"\nimport os", "control")]
    [InlineData("a\tb", "control")]
    public void Data_references_that_escape_or_inject(string value, string why) =>
        Assert.Contains(why, PathRules.DataRefProblem(value));
}
