using Terminus.Config.Cli;
using Terminus.Config.Commands;

namespace Terminus.Config.Tests.Commands;

public sealed class DatasourceCommandTests : IDisposable
{
    private readonly OperatorHome _home = new();
    private readonly string _data, _raw;

    public DatasourceCommandTests()
    {
        _data = _home.MakeDir("data");
        _raw = _home.MakeDir("raw");
        foreach (var s in new[] { "output_00003", "output_00004", "output_00005" }) Directory.CreateDirectory(Path.Combine(_raw, s));
    }

    public void Dispose() => _home.Dispose();

    private string File_(string json)
    {
        var path = Path.Combine(_home.Home, "datasource.json");
        File.WriteAllText(path, json);
        return path;
    }

    private string Definition(string category = "STAR_FORM", string project = "ORION", string simulation = "ORION_FIL_MHD", params string[] snapshots) =>
        $$"""
        {"category": "{{category}}", "project": {"alias": "{{project}}", "title": "Orion"},
         "children": [{"alias": "{{simulation}}", "children": [{{string.Join(", ", (snapshots.Length > 0 ? snapshots : ["output_00003", "output_00004"]).Select(s => $"{{\"directory_path\": \"{(s.StartsWith('/') ? s : Path.Combine(_raw, s))}\"}}"))}}]}]}
        """;

    private (int Code, string Output) Run(string json, string[] options, params string[] input) =>
        _home.Run(io => TerminusCli.Run(io, ["datasource", File_(json), "--data-dir", _data, .. options]), input);

    private string Sim => Path.Combine(_data, "STAR_FORM", "ORION", "ORION_FIL_MHD");

    [Fact]
    public void The_portal_s_file_becomes_directories_and_one_link_per_snapshot()
    {
        var (code, output) = Run(Definition(), []);
        Assert.Equal(0, code);
        Assert.Equal(Path.Combine(_raw, "output_00003"), new DirectoryInfo(Path.Combine(Sim, "output_00003")).LinkTarget);
        Assert.Equal(Path.Combine(_raw, "output_00004"), new DirectoryInfo(Path.Combine(Sim, "output_00004")).LinkTarget);
        Assert.Contains($"Project category directory '{Path.Combine(_data, "STAR_FORM")}' created.", output);
        Assert.Contains("Created snapshot data symbolic link", output);
        Assert.EndsWith("Done...\n", output);

        (code, output) = Run(Definition(), []);
        Assert.Equal(0, code);
        Assert.Contains("already exists", output);
        Assert.Equal(2, output.Split("Snapshot data symbolic link unchanged").Length - 1);
    }

    [Theory]
    [InlineData(new string[0], "", true)]          // the [Y] default works
    [InlineData(new string[0], "n", false)]
    [InlineData(new[] { "--yes" }, null, true)]
    [InlineData(new[] { "--no" }, null, false)]
    public void A_link_that_changed_is_replaced_after_asking_or_as_the_flags_say(string[] options, string? answer, bool replaced)
    {
        Directory.CreateDirectory(Sim);
        Directory.CreateSymbolicLink(Path.Combine(Sim, "output_00003"), "/somewhere/else/output_00003");
        var (code, output) = Run(Definition(snapshots: ["output_00003"]), options, answer is null ? [] : [answer]);
        Assert.Equal(0, code);
        Assert.Equal(answer is not null, output.Contains("has changed"));
        Assert.Equal(replaced ? Path.Combine(_raw, "output_00003") : "/somewhere/else/output_00003", new DirectoryInfo(Path.Combine(Sim, "output_00003")).LinkTarget);
    }

    [Fact]
    public void Quit_stops_everything_not_just_the_current_simulation()
    {
        Directory.CreateDirectory(Sim);
        Directory.CreateSymbolicLink(Path.Combine(Sim, "output_00003"), "/old/3");
        Directory.CreateSymbolicLink(Path.Combine(Sim, "output_00004"), "/old/4");
        var (_, output) = Run(Definition(), [], "q");
        Assert.Contains("Quit", output);
        Assert.Equal("/old/4", new DirectoryInfo(Path.Combine(Sim, "output_00004")).LinkTarget);
    }

    [Fact]
    public void A_missing_target_and_a_real_directory_in_the_way_are_reported_not_crashed_on()
    {
        Directory.CreateDirectory(Path.Combine(Sim, "output_00004")); // a real directory where the link should go
        var (code, output) = Run(Definition(snapshots: ["output_00003", "output_00004", "/nowhere/output_00009"]), []);
        Assert.Equal(1, code);
        Assert.Contains("Directory path '/nowhere/output_00009' cannot be found !", output);
        Assert.Contains("is a real directory or file, not a link: left as it is", output);
        Assert.NotNull(new DirectoryInfo(Path.Combine(Sim, "output_00003")).LinkTarget); // the others are still done
        Assert.Contains("2 problem(s)", output);
    }

    [Theory]
    [InlineData("..", "ORION", "SIM", "Invalid project category alias '..'")]
    [InlineData("STAR_FORM", "a/b", "SIM", "Invalid project alias 'a/b'")]
    [InlineData("STAR_FORM", "ORION", "/etc", "Invalid simulation alias '/etc'")]
    [InlineData("", "ORION", "SIM", "Undefined project category.")]
    public void Aliases_that_would_leave_the_data_directory_are_refused_and_nothing_is_created(string category, string project, string simulation, string message)
    {
        var (code, output) = Run(Definition(category, project, simulation), []);
        Assert.Equal(1, code);
        Assert.Contains(message, output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data));
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""{"category": "C", "project": {"alias": "P"}}""", "Missing project's 'children' simulation definition.")]
    [InlineData("""{"category": "C", "project": {"alias": "P"}, "children": [{"alias": "S"}]}""", "Missing simulation's 'children' snapshot definition")]
    [InlineData("""{"category": "C", "children": []}""", "Project definition")]
    [InlineData("""{"category": "C", "project": {"alias": "P"}, "children": [{"alias": "S", "children": [{"path": "/x"}]}]}""", "no absolute 'directory_path'")]
    public void A_malformed_file_is_a_clear_error(string json, string message)
    {
        var (code, output) = Run(json, []);
        Assert.Equal(1, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void A_dry_run_changes_nothing()
    {
        var (code, output) = Run(Definition(), ["--dry-run"]);
        Assert.Equal(0, code);
        Assert.Contains("[dry run]", output);
        Assert.Contains("would be created", output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data));
    }

    [Fact]
    public void The_data_directory_comes_from_the_configuration_which_is_never_touched()
    {
        Directory.CreateDirectory(_home.DotDir);
        File.WriteAllText(_home.EnvFile, $"# mine\nTERMINUS_DATA_DIR=\"{_data}\"\nTERMINUS_HOSTNAME=\"__empty__\"\n");
        var before = File.ReadAllText(_home.EnvFile);
        var (code, _) = _home.Run(io => TerminusCli.Run(io, ["datasource", File_(Definition())]));
        Assert.Equal(0, code);
        Assert.True(Directory.Exists(Sim));
        Assert.Equal(before, File.ReadAllText(_home.EnvFile));
        Assert.Single(Directory.GetFiles(_home.DotDir));
    }

    [Fact]
    public void A_missing_file_is_0_7_s_error()
    {
        var (code, output) = _home.Run(io => TerminusCli.Run(io, ["datasource", "/no/such.json", "--data-dir", _data]));
        Assert.Equal(1, code);
        Assert.Contains("Error : cannot find file '/no/such.json' !", output);
    }
}
