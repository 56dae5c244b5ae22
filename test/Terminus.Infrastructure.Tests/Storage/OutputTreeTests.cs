using System.Text;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Storage;

namespace Terminus.Infrastructure.Tests.Storage;

public sealed class OutputTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terminus-out-").FullName;
    private string JobDir => Path.Combine(_root, "job");
    private string Out => Path.Combine(JobDir, "out");
    private string Outside => Path.Combine(_root, "outside");

    public OutputTreeTests()
    {
        Directory.CreateDirectory(Out);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret"), "the daemon's secret");
    }

    public void Dispose() => SpecialFiles.RemoveTree(_root);

    private OutputPlan List()
    {
        using var outDir = DirectoryHandle.Open(Out);
        return OutputTree.List(outDir, CancellationToken.None);
    }

    private string? OutProblem()
    {
        using var jobDir = DirectoryHandle.Open(JobDir);
        using var outDir = OutputTree.OpenOut(jobDir, out var problem);
        return outDir is null ? problem : null;
    }

    [Fact]
    public void Entries_come_in_ordinal_order_of_their_raw_names_depth_first_a_directory_before_its_contents()
    {
        Directory.CreateDirectory(Path.Combine(Out, "maps", "b"));
        File.WriteAllText(Path.Combine(Out, "z.txt"), "zz");
        File.WriteAllText(Path.Combine(Out, "B.txt"), "b");
        File.WriteAllText(Path.Combine(Out, "maps", "a.pgm"), "aaaa");
        File.WriteAllText(Path.Combine(Out, "maps", "b", "c"), "");
        SpecialFiles.RawNamed(Out, [.. "caf"u8, 0xE9, .. "-latin1.txt"u8], "latin"u8.ToArray());

        var plan = List();

        Assert.Equal(["out/B.txt", @"out/caf\xe9-latin1.txt", "out/maps", "out/maps/a.pgm", "out/maps/b", "out/maps/b/c", "out/z.txt"],
            plan.Entries.Select(e => e.Path.ToString()));
        Assert.Equal([.. "caf"u8, 0xE9, .. "-latin1.txt"u8], plan.Entries[1].Path.ToBytes());
        Assert.Equal(12, plan.TotalBytes);
        Assert.Empty(plan.LeftOut);
        Assert.Equal(12, OutputTree.SizeOf(Out));
    }

    [Fact]
    public void Links_wherever_they_point_sockets_fifos_and_hard_linked_files_are_left_out_and_named_with_why()
    {
        Directory.CreateDirectory(Path.Combine(Out, "sub"));
        File.WriteAllText(Path.Combine(Out, "data.bin"), "12345");
        File.CreateSymbolicLink(Path.Combine(Out, "inside"), "data.bin");
        File.CreateSymbolicLink(Path.Combine(Out, "passwd"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(Out, "sub", "escape"), "../../../outside/secret");
        Directory.CreateSymbolicLink(Path.Combine(Out, "etc"), Outside);
        using var socket = SpecialFiles.Socket(Path.Combine(Out, "sock"));
        SpecialFiles.Fifo(Path.Combine(Out, "sub", "pipe"));
        File.WriteAllText(Path.Combine(Outside, "twice"), "1234567");
        SpecialFiles.HardLink(Path.Combine(Outside, "twice"), Path.Combine(Out, "hard"));

        var plan = List();

        Assert.Equal(["out/data.bin", "out/sub"], plan.Entries.Select(e => e.Path.ToString()));
        Assert.Equal(5, plan.TotalBytes);
        Assert.Equal(5, OutputTree.SizeOf(Out));
        Assert.Equal(["out/etc", "out/hard", "out/inside", "out/passwd", "out/sock", "out/sub/escape", "out/sub/pipe"],
            plan.LeftOut.Select(l => l.Path.ToString()));
        var why = plan.LeftOut.ToDictionary(l => l.Path.ToString());
        Assert.Equal("out/passwd -> /etc/passwd (a symbolic link: only directories and regular files are packaged)", why["out/passwd"].WithTarget());
        Assert.Equal("out/passwd (a symbolic link: only directories and regular files are packaged)", why["out/passwd"].ToString());
        Assert.StartsWith("a file with 2 hard links", why["out/hard"].Reason);
        Assert.StartsWith("a socket", why["out/sock"].Reason);
        Assert.StartsWith("a named pipe (FIFO)", why["out/sub/pipe"].Reason);
    }

    [Fact]
    public void Out_must_be_a_real_directory()
    {
        Assert.Null(OutProblem());

        Directory.Delete(Out);
        Assert.Equal("there is no out/ directory", OutProblem());
        Assert.Null(OutputTree.SizeOf(Out));

        Directory.CreateSymbolicLink(Out, Outside);
        Assert.Equal("out/ is a link, not a directory", OutProblem());
        Assert.Null(OutputTree.SizeOf(Out));

        File.Delete(Out);
        File.WriteAllText(Out, "not a directory");
        Assert.Equal("out/ is a file, not a directory", OutProblem());
        Assert.Null(OutputTree.SizeOf(Out));

        File.Delete(Out);
        SpecialFiles.Fifo(Out);
        Assert.Equal("out/ is a named pipe (FIFO), not a directory", OutProblem());
    }

    [Fact]
    public async Task The_job_log_is_appended_to_only_when_it_is_a_regular_file_with_one_name()
    {
        var log = Path.Combine(Out, "job.log");
        string? Append(string text)
        {
            using var outDir = DirectoryHandle.Open(Out);
            return JobLog.Append(outDir, text);
        }

        Assert.Null(Append("first\n"));
        Assert.Null(Append("second\n"));
        Assert.Equal("first\nsecond\n", File.ReadAllText(log));

        File.Delete(log);
        File.CreateSymbolicLink(log, Path.Combine(Outside, "secret"));
        Assert.Equal("out/job.log is a symbolic link", Append("through a link\n"));

        File.Delete(log);
        SpecialFiles.HardLink(Path.Combine(Outside, "secret"), log);
        Assert.StartsWith("out/job.log is a file with 2 hard links", Append("through a hard link\n"));
        Assert.Equal("the daemon's secret", File.ReadAllText(Path.Combine(Outside, "secret")));

        File.Delete(log);
        SpecialFiles.Fifo(log);
        Assert.NotNull(await Task.Run(() => Append("to a fifo\n")).WaitAsync(TimeSpan.FromSeconds(10))); // never blocks on a FIFO
    }

    [Fact]
    public void Directories_deeper_than_the_limit_are_left_out()
    {
        var deep = Out;
        for (var i = 0; i <= OutputRules.MaxDepth; i++) deep = Path.Combine(deep, "d");
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(deep)!, "kept"), "k");

        var plan = List();

        Assert.Equal(OutputRules.MaxDepth + 1, plan.Entries.Count);
        Assert.EndsWith("/d/kept", plan.Entries[^1].Path.ToString());
        Assert.Equal("a directory more than 128 levels deep", plan.LeftOut.Single().Reason);
    }

    [Fact]
    public void Listing_stops_when_cancelled()
    {
        File.WriteAllText(Path.Combine(Out, "a"), "a");
        using var outDir = DirectoryHandle.Open(Out);
        Assert.Throws<OperationCanceledException>(() => OutputTree.List(outDir, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void A_trusted_path_opens_but_a_link_at_its_last_name_does_not()
    {
        var link = Path.Combine(_root, "link");
        Directory.CreateSymbolicLink(link, Outside);
        Assert.Throws<IOException>(() => DirectoryHandle.Open(link));
        Assert.Throws<IOException>(() => DirectoryHandle.Open(Path.Combine(_root, "missing")));
        using var dir = DirectoryHandle.Open(Outside);
        Assert.Equal([RawName.FromString("secret")], dir.ReadNames());
        Assert.Equal(Encoding.UTF8.GetByteCount("the daemon's secret"), dir.Stat(RawName.FromString("secret"))!.Value.Size);
    }
}
