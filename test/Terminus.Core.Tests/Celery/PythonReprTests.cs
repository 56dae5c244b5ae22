using System.Text.Json;
using Terminus.Core.Celery;

namespace Terminus.Core.Tests.Celery;

public class PythonReprTests
{
    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData(0.5, "0.5")]
    [InlineData(1.0, "1.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123456789012345680.0, "1.2345678901234568e+17")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(2.5e300, "2.5e+300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(100.0, "100.0")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NaN, "nan")]
    public void Floats_print_like_python(double value, string expected) => Assert.Equal(expected, PythonJson.FloatRepr(value));

    [Theory]
    [InlineData("\"plain\"", "'plain'")]
    [InlineData("\"it's\"", "\"it's\"")]
    [InlineData("\"it's \\\"x\\\"\"", "'it\\'s \"x\"'")]
    [InlineData("\"a\\\\b\\nc\\td\"", "'a\\\\b\\nc\\td'")]
    [InlineData("\"\\u0000\\u001b\"", "'\\x00\\x1b'")]
    [InlineData("\"\\ud83d\\ude00 \\u00e9\"", "'😀 é'")]
    [InlineData("\"\\u3000\"", "'\\u3000'")]
    [InlineData("\"\\ue000\"", "'\\ue000'")]
    [InlineData("\"\\udb80\\udc00\"", "'\\U000f0000'")]
    [InlineData("{\"test\": false, \"size\": [0.1, \"kpc\"], \"n\": null}", "{'test': False, 'size': [0.1, 'kpc'], 'n': None}")]
    public void Repr_matches_python(string json, string expected) => Assert.Equal(expected, PythonRepr.Of(J(json)));

    [Fact]
    public void OfArgs_is_the_repr_of_a_python_list()
    {
        Assert.Equal("[123, 'failed', \"Post-processing service 'x' is not available.\"]",
            PythonRepr.OfArgs(123, "failed", "Post-processing service 'x' is not available."));
        Assert.Equal("[True, None, 1.0, [1, 'a'], {'k': 2}]",
            PythonRepr.OfArgs(true, null, 1.0, new List<object?> { 1, "a" }, new Dictionary<string, object?> { ["k"] = 2 }));
        Assert.Equal("[]", PythonRepr.OfArgs());
    }

    [Fact]
    public void SafeRepr_differs_from_repr_on_strings()
    {
        var v = J("[\"it's\", \"a\\nb\", \"c\\\\d\"]");
        Assert.Equal("[\"it's\", 'a\\nb', 'c\\\\d']", PythonRepr.Of(v));
        Assert.Equal("['it\\'s', 'a\nb', 'c\\d']", PythonRepr.SafeRepr(v));
    }

    [Fact]
    public void SafeRepr_limits_depth_and_length()
    {
        Assert.Equal("[[[[...]]]]", PythonRepr.SafeRepr(J("[[[[1]]]]")));
        Assert.Equal("[[[[1]]]]", PythonRepr.SafeRepr(J("[[[[1]]]]"), maxLevels: 0));
        Assert.Equal("['abcd...', ...]", PythonRepr.SafeRepr(J("[\"abcdefgh\", 1]"), maxLength: 5));
        Assert.Equal(2004, PythonRepr.SafeRepr(J("[\"" + new string('x', 2000) + "\"]"), maxLength: null).Length);
    }

    [Fact]
    public void SafeRepr_counts_code_points_like_python_when_truncating()
    {
        // 3 emoji = 3 code points in Python (6 UTF-16 units): cut to 2 code points, never inside a surrogate pair
        Assert.Equal("'😀😀...'", PythonRepr.SafeRepr(J("\"😀😀😀\""), maxLength: 2));
    }
}

public class PythonFloatGoldenTests
{
    [Fact]
    public void Random_doubles_print_exactly_like_python_repr()
    {
        var floats = Golden.Data.GetProperty("floats").EnumerateArray().ToList();
        Assert.True(floats.Count >= 3000);
        var mismatches = new List<string>();
        foreach (var f in floats)
        {
            var d = BitConverter.ToDouble(Convert.FromHexString(f[0].GetString()!));
            var expected = f[1].GetString()!;
            if (PythonJson.FloatRepr(d) != expected) mismatches.Add($"{expected} -> {PythonJson.FloatRepr(d)}");
        }
        Assert.Empty(mismatches);
    }
}
