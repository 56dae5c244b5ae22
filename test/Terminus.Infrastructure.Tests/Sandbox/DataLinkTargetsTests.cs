using Terminus.Infrastructure.Sandbox;

namespace Terminus.Infrastructure.Tests.Sandbox;

public sealed class DataLinkTargetsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terminus-links-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir(string relative) => Directory.CreateDirectory(Path.Combine(_root, relative)).FullName;

    private void Link(string relative, string target) => File.CreateSymbolicLink(Path.Combine(_root, relative), target);

    [Fact]
    public void The_datasource_s_links_four_levels_down_and_hand_made_ones_higher_are_found_resolved_once_each()
    {
        var data = Dir("data");
        Dir("data/cat/proj/sim");
        var snapshots = Dir("archive/orion");
        var snap1 = Dir("archive/orion/output_00001");
        var snap2 = Dir("archive/orion/output_00002");
        Link("data/cat/proj/sim/output_00001", snap1);
        Link("data/cat/proj/sim/output_00002", "../../../../archive/orion/output_00002"); // relative
        Link("data/cat/proj/sim/again", snap1);
        Link("data/cat/orion", snapshots);                                             // by hand, higher up
        Link("archive/via", snap2);
        Link("data/cat/proj/sim/chained", Path.Combine(_root, "archive/via"));         // a link to a link

        Assert.Equal([snapshots, snap1, snap2], DataLinkTargets.Find(data));
    }

    [Fact]
    public void Dangling_links_links_to_the_root_deeper_links_and_links_inside_targets_are_left_out()
    {
        var data = Dir("data");
        Dir("data/cat/proj/sim/deeper");
        var snap = Dir("archive/output_00001");
        Dir("archive/output_00001/sub");
        Link("data/cat/proj/sim/gone", Path.Combine(_root, "archive/missing"));
        Link("data/cat/proj/sim/everything", "/");
        Link("data/cat/proj/sim/deeper/too_deep", snap);
        Link("archive/output_00001/sub/inner", "/etc");
        Link("data/cat/proj/sim/output_00001", snap);

        Assert.Equal([snap], DataLinkTargets.Find(data));
    }

    [Fact]
    public void An_empty_or_missing_data_dir_has_no_targets()
    {
        Assert.Empty(DataLinkTargets.Find(Dir("data")));
        Assert.Empty(DataLinkTargets.Find(Path.Combine(_root, "missing")));
    }
}
