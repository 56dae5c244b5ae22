using Terminus.Config.Cli;
using Terminus.Config.Commands;
using Terminus.Core;

namespace Terminus.Config.Tests.Cli;

/// <summary>Every command reads its command line the same way: a typo is an error with the usage, never ignored.</summary>
public sealed class ArgumentsTests : IDisposable
{
    private readonly OperatorHome _home = new();
    public void Dispose() => _home.Dispose();

    public static TheoryData<string, Func<CommandIo, string[], int>> Commands => new()
    {
        { "terminus check", (io, a) => new CheckCommand(io).RunAsync(a).GetAwaiter().GetResult() },
        { "terminus status", (io, a) => new StatusCommand(io).Run(a) },
        { "terminus datasource", (io, a) => new DatasourceCommand(io).Run(["datasources.txt", .. a]) },
        { "terminus service", (io, a) => new ServiceNewCommand(io).Run(["new", "x", .. a]) },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_misspelt_option_is_refused_with_the_usage_before_anything_happens(string command, Func<CommandIo, string[], int> run)
    {
        var before = _home.Snapshot();
        var (code, output) = _home.Run(io => run(io, ["--skip-sh"]));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"{command}: unknown option --skip-sh", output);
        Assert.Contains("usage: ", output);
        Assert.Equal(before, _home.Snapshot());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_prints_the_usage_and_succeeds(string command, Func<CommandIo, string[], int> run)
    {
        var (code, output) = _home.Run(io => run(io, ["--help"]));
        Assert.Equal(0, code);
        Assert.StartsWith("usage: " + command, output.TrimStart());
    }

    [Fact]
    public void An_option_without_its_value_is_a_usage_error()
    {
        var (code, output) = _home.Run(io => new StatusCommand(io).Run(["--ledger"]));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("terminus status: option --ledger needs a value", output);
    }

    [Fact]
    public void Values_flags_and_positionals_are_told_apart()
    {
        var a = new Arguments(["file.txt", "--yes", "--data-dir", "/d", "--x=1", "--", "--not-an-option"], new HashSet<string> { "yes" });
        Assert.Equal(["file.txt", "--not-an-option"], a.Positional);
        Assert.True(a.Flag("yes"));
        Assert.Equal("/d", a.Value("data-dir"));
        Assert.Equal(["x"], a.Unknown);
        Assert.Equal("t: unknown option --x\nusage: t", a.Problem("t", "usage: t"));
        Assert.Equal("1", a.Value("x"));
        Assert.Null(a.Problem("t", "usage: t"));
    }

    [Fact]
    public void A_misspelt_flag_does_not_swallow_the_next_option()
    {
        var a = new Arguments(["--skip-sh", "--skip-broker"], new HashSet<string> { "skip-ssh", "skip-broker" });
        Assert.True(a.Flag("skip-broker"));
        Assert.False(a.Flag("skip-ssh"));
        Assert.Equal("terminus check: unknown option --skip-sh\nusage", a.Problem("terminus check", "usage"));
    }
}
