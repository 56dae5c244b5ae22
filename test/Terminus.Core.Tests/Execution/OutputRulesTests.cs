using Terminus.Core.Execution;
using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Execution;

public sealed class OutputRulesTests
{
    [Theory]
    [InlineData(0x41ED, OutputKind.Directory)]
    [InlineData(0x81A4, OutputKind.File)]
    [InlineData(0xA1FF, OutputKind.Symlink)]
    [InlineData(0xC1ED, OutputKind.Socket)]
    [InlineData(0x11A4, OutputKind.Fifo)]
    [InlineData(0x21B6, OutputKind.CharDevice)]
    [InlineData(0x61B0, OutputKind.BlockDevice)]
    [InlineData(0xE000, OutputKind.Unknown)]
    public void The_kind_comes_from_the_file_type_bits(uint mode, OutputKind kind) => Assert.Equal(kind, OutputRules.KindOf(mode));

    [Fact]
    public void Only_real_directories_and_regular_files_with_one_name_are_kept()
    {
        Assert.Null(OutputRules.WhyLeftOut(OutputKind.Directory, 7, 1));
        Assert.Null(OutputRules.WhyLeftOut(OutputKind.File, 1, 3));
        Assert.Equal("a file with 2 hard links: its other names may be outside out/", OutputRules.WhyLeftOut(OutputKind.File, 2, 1));
        Assert.Equal("a symbolic link: only directories and regular files are packaged", OutputRules.WhyLeftOut(OutputKind.Symlink, 1, 1));
        Assert.StartsWith("a socket:", OutputRules.WhyLeftOut(OutputKind.Socket, 1, 1));
        Assert.StartsWith("a named pipe (FIFO):", OutputRules.WhyLeftOut(OutputKind.Fifo, 1, 1));
        Assert.StartsWith("a character device:", OutputRules.WhyLeftOut(OutputKind.CharDevice, 1, 1));
        Assert.StartsWith("a block device:", OutputRules.WhyLeftOut(OutputKind.BlockDevice, 1, 1));
        Assert.NotNull(OutputRules.WhyLeftOut(OutputKind.Unknown, 1, 1));
    }

    [Fact]
    public void Directories_below_the_depth_limit_are_left_out_but_files_in_the_deepest_one_are_kept()
    {
        Assert.Null(OutputRules.WhyLeftOut(OutputKind.Directory, 2, OutputRules.MaxDepth));
        Assert.Equal("a directory more than 128 levels deep", OutputRules.WhyLeftOut(OutputKind.Directory, 2, OutputRules.MaxDepth + 1));
        Assert.Null(OutputRules.WhyLeftOut(OutputKind.File, 1, OutputRules.MaxDepth + 1));
    }

    [Fact]
    public void Only_a_regular_file_with_one_name_is_read_or_written()
    {
        Assert.Null(OutputRules.WhyNotASingleFile(OutputKind.File, 1));
        Assert.Equal("a directory", OutputRules.WhyNotASingleFile(OutputKind.Directory, 2));
        Assert.StartsWith("a file with 3 hard links", OutputRules.WhyNotASingleFile(OutputKind.File, 3));
        Assert.StartsWith("a named pipe", OutputRules.WhyNotASingleFile(OutputKind.Fifo, 1));
    }

    [Fact]
    public void What_is_wrong_with_out_is_said_without_a_server_path()
    {
        Assert.Equal("An error occurred during job data tarball file creation. (out/ is a link, not a directory: nothing was packaged.)",
            StatusTexts.TarballRefused(OutputRules.OutProblem(OutputKind.Symlink)));
        Assert.Equal("out/ is a file, not a directory", OutputRules.OutProblem(OutputKind.File));
        Assert.Equal("out/ is a named pipe (FIFO), not a directory", OutputRules.OutProblem(OutputKind.Fifo));
        Assert.Equal("there is no out/ directory", OutputRules.OutProblem(null));
        Assert.Equal("out/ could not be opened", OutputRules.OutProblem(OutputKind.Directory));
    }

    [Fact]
    public void Raw_names_are_ordered_by_their_bytes_and_shown_with_undecodable_bytes_escaped()
    {
        RawName[] names = [new([0x63, 0x61, 0x66, 0xE9]), RawName.FromString("B"), RawName.FromString("a"), RawName.FromString("café")];
        Array.Sort(names);
        Assert.Equal(["B", "a", "café", @"caf\xe9"], names.Select(n => n.ToString()));
        Assert.True(RawName.FromString("x") == new RawName([(byte)'x']));
    }

    [Theory]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xE9, 0x2D, 0x6C, 0x61, 0x74, 0x69, 0x6E, 0x31 }, @"caf\xe9-latin1")]
    [InlineData(new byte[] { 0x61, 0x0A, 0x62 }, @"a\x0ab")]
    [InlineData(new byte[] { 0x61, 0x5C, 0x62 }, @"a\\b")]
    [InlineData(new byte[] { 0xE2, 0x80, 0xAE, 0x78 }, @"\xe2\x80\xaex")] // U+202E, a bidi override
    [InlineData(new byte[] { 0xE2, 0x98, 0x83, 0xF0, 0x9F, 0x98, 0x80 }, "☃😀")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 }, @"\xf0\x9f\x98")] // cut in the middle of a character
    public void A_name_is_shown_on_one_line_and_unambiguously(byte[] name, string shown) =>
        Assert.Equal(shown, new RawName(name).ToString());

    [Fact]
    public void A_path_joins_its_raw_names_under_a_prefix_and_is_shown_below_out()
    {
        var sub = new RawPath(null, RawName.FromString("sub"));
        var file = new RawPath(sub, new RawName([0x63, 0x61, 0x66, 0xE9]));

        Assert.Equal(2, file.Depth);
        Assert.Equal([.. "svc/sub/caf"u8, 0xE9], file.ToBytes("svc/"u8));
        Assert.Equal(@"out/sub/caf\xe9", file.ToString());
        Assert.True(file.IsWithin(sub));
        Assert.False(sub.IsWithin(file));
    }

    [Fact]
    public void A_left_out_entry_is_named_with_its_reason_for_the_user_and_its_target_for_the_operator()
    {
        var link = new OutputLeftOut(new RawPath(null, RawName.FromString("passwd")), "a symbolic link", RawName.FromString("/etc/passwd"));

        Assert.Equal("out/passwd (a symbolic link)", link.ToString());
        Assert.Equal("out/passwd -> /etc/passwd (a symbolic link)", link.WithTarget());
        Assert.Equal("2024-05-01 12:03:04,005 - WARNING - left out of the tarball: out/passwd (a symbolic link)\n",
            OutputRules.JobLogLine(link, new DateTime(2024, 5, 1, 12, 3, 4, 5)));
    }

    [Fact]
    public void A_job_log_created_after_the_listing_takes_its_place_among_the_top_entries()
    {
        OutputEntry Top(string name, OutputKind kind = OutputKind.File) => new(new RawPath(null, RawName.FromString(name)), kind, 1);
        var maps = Top("maps", OutputKind.Directory);
        var plan = new OutputPlan([Top("a.txt"), Top("data", OutputKind.Directory), new(new RawPath(Top("data").Path, RawName.FromString("z")), OutputKind.File, 1),
            maps, new(new RawPath(maps.Path, RawName.FromString("a")), OutputKind.File, 1)], 3, []);

        var withLog = plan.WithTopLevelFile(RawName.FromString("job.log"), 0);

        Assert.Equal(["out/a.txt", "out/data", "out/data/z", "out/job.log", "out/maps", "out/maps/a"], withLog.Entries.Select(e => e.Path.ToString()));
        Assert.Same(withLog, withLog.WithTopLevelFile(RawName.FromString("job.log"), 0));
        Assert.Equal("out/z", plan.WithTopLevelFile(RawName.FromString("z"), 0).Entries[^1].Path.ToString());
    }
}
