using System.Text.RegularExpressions;
using Terminus.IntegrationTests.Infrastructure;

namespace Terminus.IntegrationTests.Repository;

/// <summary>
/// Every script the README or docs/ tell people to run works on a fresh clone: git stores it with its run bit (a clone
/// drops whatever the work tree had), it is a bash script that parses, and it answers <c>--help</c> with its usage
/// without starting anything. (<c>.ci/run</c> also runs the demo itself, end to end.)
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class DocumentedScriptsTests
{
    private static readonly string Root = ItEnvironment.RepoRoot;

    public static TheoryData<string> Scripts()
    {
        var texts = new[] { Path.Combine(Root, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md")).Select(File.ReadAllText);
        var named = texts.SelectMany(t => ScriptPath().Matches(t).Select(m => m.Value)).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Contains("scripts/demo.sh", named);
        Assert.Contains("scripts/test.sh", named);
        return new TheoryData<string>(named);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task A_documented_script_is_executable_in_git_and_answers_help(string script)
    {
        var path = Path.Combine(Root, script);
        Assert.True(File.Exists(path), $"{script} is named in the documentation but does not exist");
        var staged = await ProcessRunner.RunAsync("git", ["-C", Root, "ls-files", "-s", "--", script], TimeSpan.FromSeconds(30));
        Assert.True(staged.ExitCode == 0, $"git ls-files failed: {staged.StdErr}");
        Assert.True(staged.StdOut.StartsWith("100755 ", StringComparison.Ordinal), $"{script} is not stored as executable in git: '{staged.StdOut.Trim()}'");
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{script} has no run bit in the work tree");
        Assert.Equal("#!/usr/bin/env bash", File.ReadLines(path).First());

        var parsed = await ProcessRunner.RunAsync("bash", ["-n", path], TimeSpan.FromSeconds(30));
        Assert.True(parsed.ExitCode == 0, $"{script} does not parse: {parsed.StdErr}");
        var help = await ProcessRunner.RunAsync(path, ["--help"], TimeSpan.FromSeconds(30)); // run as the README writes it
        Assert.True(help.ExitCode == 0, $"{script} --help exited {help.ExitCode}: {help.StdErr}");
        Assert.StartsWith("usage: " + script, help.StdOut);
    }

    [Fact]
    public async Task Every_script_of_the_repository_is_executable_bash_and_the_shared_helpers_are_sourced_not_copied()
    {
        var scripts = Directory.EnumerateFiles(Path.Combine(Root, "scripts"), "*.sh", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/lib/", StringComparison.Ordinal)).Append(Path.Combine(Root, ".ci", "run")).ToList();
        foreach (var path in scripts)
        {
            var relative = Path.GetRelativePath(Root, path);
            Assert.Equal("#!/usr/bin/env bash", File.ReadLines(path).First());
            var staged = await ProcessRunner.RunAsync("git", ["-C", Root, "ls-files", "-s", "--", relative], TimeSpan.FromSeconds(30));
            Assert.True(staged.StdOut.StartsWith("100755 ", StringComparison.Ordinal), $"{relative} is not stored as executable in git");
            var text = await File.ReadAllTextAsync(path);
            foreach (var helper in new[] { "running", "is_proc", "listening", "since", "die", "stop_pid" })
                Assert.False(Regex.IsMatch(text, $@"(?m)^\s*{helper}\(\)\s*\{{"), $"{relative} defines {helper}() again: source scripts/lib/proc.sh instead");
        }
    }

    [GeneratedRegex(@"(?<![\w/.-])scripts/[\w./-]+\.sh\b")]
    private static partial Regex ScriptPath();
}
