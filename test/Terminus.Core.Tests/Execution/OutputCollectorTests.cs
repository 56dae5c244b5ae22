using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class OutputCollectorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terminus-out-").FullName;
    private string Out => Path.Combine(_root, "out");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Entries_come_in_a_deterministic_order_under_the_service_root()
    {
        Directory.CreateDirectory(Path.Combine(Out, "maps", "b"));
        File.WriteAllText(Path.Combine(Out, "z.txt"), "zz");
        File.WriteAllText(Path.Combine(Out, "B.txt"), "b");
        File.WriteAllText(Path.Combine(Out, "maps", "a.pgm"), "aaaa");
        File.WriteAllText(Path.Combine(Out, "maps", "b", "c"), "");

        var plan = OutputCollector.Collect(Out, "density_map");

        Assert.Equal(["density_map/", "density_map/B.txt", "density_map/maps/", "density_map/maps/a.pgm", "density_map/maps/b/",
            "density_map/maps/b/c", "density_map/z.txt"], plan.Entries.Select(e => e.ArchiveName));
        Assert.Equal(7, plan.TotalBytes);
        Assert.Empty(plan.Skipped);
    }

    [Fact]
    public void Links_inside_out_are_kept_as_links_and_links_leaving_it_are_left_out()
    {
        Directory.CreateDirectory(Path.Combine(Out, "sub"));
        File.WriteAllText(Path.Combine(Out, "data.bin"), "12345");
        File.CreateSymbolicLink(Path.Combine(Out, "inside"), "data.bin");
        File.CreateSymbolicLink(Path.Combine(Out, "sub", "up"), "../data.bin");
        File.CreateSymbolicLink(Path.Combine(Out, "passwd"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(Out, "sub", "escape"), "../../secret");
        Directory.CreateSymbolicLink(Path.Combine(Out, "etc"), "/etc");

        var plan = OutputCollector.Collect(Out, "svc");

        Assert.Equal(["svc/", "svc/data.bin", "svc/inside", "svc/sub/", "svc/sub/up"], plan.Entries.Select(e => e.ArchiveName));
        Assert.Equal(OutputKind.Symlink, plan.Entries.Single(e => e.ArchiveName == "svc/inside").Kind);
        Assert.Equal(5, plan.TotalBytes); // links add nothing, /etc is not walked
        Assert.Equal(3, plan.Skipped.Count);
        Assert.Contains(plan.Skipped, s => s.StartsWith("svc/passwd -> /etc/passwd", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/r/out", "/r/out", "a", true)]
    [InlineData("/r/out", "/r/out/x", "../a", true)]
    [InlineData("/r/out", "/r/out", "../out2/a", false)]
    [InlineData("/r/out", "/r/out", "/r/out/a", true)]
    [InlineData("/r/out", "/r/out", "/r/outside", false)]
    [InlineData("/r/out", "/r/out", "..", false)]
    [InlineData("/r/out", "/r/out", ".", true)]
    public void A_link_stays_inside_only_below_out(string root, string linkDir, string target, bool inside) =>
        Assert.Equal(inside, OutputCollector.StaysInside(root, linkDir, target));
}
