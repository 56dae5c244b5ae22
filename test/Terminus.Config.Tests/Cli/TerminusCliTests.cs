using Terminus.Config.Cli;
using Terminus.Core;

namespace Terminus.Config.Tests.Cli;

/// <summary>The command line as the operator meets it: errors are EX_USAGE before anything happens, help everywhere, completion.</summary>
public sealed class TerminusCliTests : IDisposable
{
    private readonly OperatorHome _home = new();
    public void Dispose() => _home.Dispose();

    public static TheoryData<string[]> Commands => new()
    {
        new[] { "check" }, new[] { "status" }, new[] { "jobs" }, new[] { "show", "12" }, new[] { "cancel", "12" }, new[] { "datasource", "x.json" },
        new[] { "service", "new", "x" }, new[] { "config", "--non-interactive" }, new[] { "check-config" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_misspelt_option_is_refused_with_the_command_s_help_before_anything_happens(string[] command)
    {
        var before = _home.Snapshot();
        var (code, output) = _home.Run(io => TerminusCli.Run(io, [.. command, "--skip-sh"]));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Unrecognized command or argument '--skip-sh'", output);
        Assert.Matches($"Usage:\\n  \\S+ {command[0]}", output.Replace("\r", "")); // the root is the program's name: testhost here
        Assert.Equal(before, _home.Snapshot());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help(string[] command)
    {
        var (code, output) = _home.Run(io => TerminusCli.Run(io, [command[0], .. command.Skip(1).Take(command[0] == "service" ? 1 : 0), "--help"]));
        Assert.Equal(0, code);
        Assert.Contains("Description:", output);
        Assert.Contains("-?, -h, --help", output);
    }

    [Fact]
    public void Terminus_alone_lists_the_commands()
    {
        var (code, output) = _home.Run(io => TerminusCli.Run(io, []));
        Assert.Equal(0, code);
        foreach (var command in new[] { "config", "datasource", "check", "jobs", "status", "show", "cancel", "service", "completion" })
            Assert.Contains($"\n  {command}", output);
    }

    [Theory]
    [InlineData("show", "abc", "'abc' is not a job id")]
    [InlineData("cancel", "-3", "")]
    [InlineData("jobs", "--since=3x", "'3x' is not a duration such as 30m, 2h or 7d")]
    [InlineData("jobs", "--status=finished", "Argument 'finished' not recognized")]
    [InlineData("status", "--ledger", "Required argument missing for option: '--ledger'")]
    public void A_bad_value_is_a_usage_error_that_says_why(string command, string argument, string why)
    {
        var (code, output) = _home.Run(io => TerminusCli.Run(io, [command, argument]));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(why, output);
    }

    [Fact]
    public void Completion_prints_a_bash_script_that_asks_the_suggest_directive_and_that_directive_completes_options_and_values()
    {
        var (code, script) = _home.Run(io => TerminusCli.Run(io, ["completion", "bash"]));
        Assert.Equal(0, code);
        Assert.Contains("complete -o default -F _terminus_complete terminus", script);
        Assert.Contains("\"[suggest:${COMP_POINT}]\" \"${COMP_LINE}\"", script);

        var (_, options) = _home.Run(io => TerminusCli.Run(io, ["[suggest:16]", "terminus jobs --"]));
        Assert.Contains("--since", options.Split('\n'));
        var (_, values) = _home.Run(io => TerminusCli.Run(io, ["[suggest:25]", "terminus jobs --status ti"]));
        Assert.Equal(["timed_out"], values.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var (_, commands) = _home.Run(io => TerminusCli.Run(io, ["[suggest:11]", "terminus ca"]));
        Assert.Equal(["cancel"], commands.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
