using Terminus.Core.Configuration;

namespace Terminus.Core.Tests.Configuration;

public class EnvFileTests
{
    [Theory]
    [InlineData("KEY=\"value\"", "value")]
    [InlineData("KEY='value'", "value")]
    [InlineData("KEY=value", "value")]
    [InlineData("  KEY  =  \"value\"  ", "value")]
    [InlineData("export KEY=\"value\"", "value")]
    [InlineData("export   KEY=value", "value")]
    [InlineData("KEY=\"va lue\" # trailing comment", "va lue")]
    [InlineData("KEY=\"'inner'\"", "'inner'")]
    [InlineData("KEY=value\r", "value")]
    public void Reads_quoted_unquoted_and_exported_values(string line, string expected)
    {
        Assert.Equal(expected, EnvFile.Parse(line)["KEY"]);
    }

    [Fact]
    public void Splits_at_the_first_equals_sign_only()
    {
        // 0.7's split("=")[1] turned these into "--concurrency" and "a".
        var values = EnvFile.Parse("CELERYD_OPTS=\"--concurrency=2 -Q h.terminus_jobs\"\nTOKEN=a=b==\n");

        Assert.Equal("--concurrency=2 -Q h.terminus_jobs", values["CELERYD_OPTS"]);
        Assert.Equal("a=b==", values["TOKEN"]);
    }

    [Theory]
    [InlineData("KEY=\"__empty__\"")]
    [InlineData("KEY=__empty__")]
    [InlineData("KEY='__empty__'")]
    [InlineData("KEY=")]
    [InlineData("KEY=\"\"")]
    public void Empty_sentinel_and_empty_values_are_unset(string line)
    {
        Assert.False(EnvFile.Parse(line).ContainsKey("KEY"));
    }

    [Fact]
    public void Skips_comments_and_blank_lines()
    {
        var values = EnvFile.Parse("# KEY=commented\n\n   \n#CELERY_APP=\"Terminus.tasks:app\"\n; KEY=also a comment\nKEY=real\n");

        Assert.Equal("real", values["KEY"]);
        Assert.False(values.ContainsKey("CELERY_APP"));
        Assert.Single(values);
    }

    [Fact]
    public void Later_duplicates_win_and_a_later_empty_sentinel_unsets()
    {
        var values = EnvFile.Parse("A=1\nA=2\nB=1\nB=__empty__\n");

        Assert.Equal("2", values["A"]);
        Assert.False(values.ContainsKey("B"));
    }

    [Fact]
    public void Keys_match_exactly_not_by_substring()
    {
        // 0.7 tested "TERMINUS_DOT_DIR" in line, so any of these lines would have clobbered it.
        var values = EnvFile.Parse("""
            OLD_TERMINUS_DOT_DIR="/old"
            TERMINUS_DOT_DIR_BACKUP="/backup"
            COMMENT="set TERMINUS_DOT_DIR=/nowhere"
            TERMINUS_DOT_DIR="/real"
            """);

        Assert.Equal("/real", values["TERMINUS_DOT_DIR"]);
        Assert.Equal("/old", values["OLD_TERMINUS_DOT_DIR"]);
        Assert.Equal("set TERMINUS_DOT_DIR=/nowhere", values["COMMENT"]);
    }

    [Fact]
    public void Keys_are_case_sensitive()
    {
        var values = EnvFile.Parse("terminus_hostname=a\n");

        Assert.False(values.ContainsKey("TERMINUS_HOSTNAME"));
        Assert.Equal("a", values["terminus_hostname"]);
    }

    [Fact]
    public void Lines_that_are_not_assignments_are_ignored_with_a_note_naming_the_line()
    {
        var content = EnvFile.ParseWithNotes("A=1\nthis is not an assignment\n9KEY=x\nB=2\n");

        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" }, content.Values);
        Assert.Equal(2, content.Notes.Count);
        Assert.StartsWith("line 2: ignored", content.Notes[0], StringComparison.Ordinal);
        Assert.StartsWith("line 3: ignored", content.Notes[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Unbalanced_quotes_keep_the_value_as_written_and_leave_a_note()
    {
        var content = EnvFile.ParseWithNotes("KEY=\"abc\n");

        Assert.Equal("\"abc", content.Values["KEY"]);
        Assert.Contains(content.Notes, n => n.StartsWith("line 1: KEY", StringComparison.Ordinal));
    }

    [Fact]
    public void A_byte_order_mark_and_crlf_line_ends_are_tolerated()
    {
        var values = EnvFile.Parse("\uFEFFA=\"1\"\r\nB=2\r\n");

        Assert.Equal("1", values["A"]);
        Assert.Equal("2", values["B"]);
    }

    [Fact]
    public void The_untouched_07_template_yields_only_the_values_it_really_sets()
    {
        var values = EnvFile.Parse(Terminus07Env.Template);

        Assert.Equal(
            ["CELERYD_LOG_LEVEL", "CELERYD_MULTI", "CELERYD_NODES", "CELERYD_OPTS", "CELERY_APP", "CELERY_CREATE_DIRS",
             "GALACSTORAGE_SSH_ALIAS", "PATH", "TERMINUS_USE_SLURM"],
            values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Terminus", values["CELERY_APP"]);
    }
}
