using Terminus.Config.Cli;
using Terminus.Config.Commands;
using Terminus.Core.Containment;
using Terminus.Core.Operator;
using Terminus.Infrastructure.Containment;

namespace Terminus.Config.Tests.Commands;

/// <summary><c>terminus check</c> on a complete configuration, without the storage and the broker (the integration tests have those).</summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly OperatorHome _home = new();

    public void Dispose() => _home.Dispose();

    private (int Code, string Output) Check(string extraKeys = "", string? path = null)
    {
        _home.MakeDir("data"); _home.MakeDir("jobs"); _home.MakeDir("services");
        Directory.CreateDirectory(Path.GetDirectoryName(_home.PasswordFile)!);
        File.WriteAllText(_home.PasswordFile, "s3cret\n");
        File.WriteAllText(_home.EnvFile, $"""
            TERMINUS_HOSTNAME="anais"
            TERMINUS_DATA_DIR="{_home.Dir("data")}"
            TERMINUS_JOB_DIR="{_home.Dir("jobs")}"
            TERMINUS_SERVICE_DIR="{_home.Dir("services")}"
            RABBITMQ_USERNAME="terminus_anais"
            RABBITMQ_HOST="127.0.0.1"
            RABBITMQ_PORT="5672"
            RABBITMQ_VIRTUAL_HOST="galactica"
            {extraKeys}
            """);
        var environment = new Dictionary<string, string?> { ["PATH"] = path };
        return _home.RunWith(environment, io => TerminusCli.RunAsync(io, ["check", "--skip-ssh", "--skip-broker"]).GetAwaiter().GetResult());
    }

    private static string ContainmentLine(string output) =>
        Assert.Single(output.Split('\n'), l => l.Contains("] containment: ", StringComparison.Ordinal));

    private static string SandboxLine(string output) =>
        Assert.Single(output.Split('\n'), l => l.Contains("] sandbox: ", StringComparison.Ordinal));

    [Fact]
    public void The_subreaper_fallback_asked_for_is_a_warning_that_names_the_default_limits()
    {
        var (code, output) = Check("TERMINUS_CONTAINMENT=subreaper\nTERMINUS_JOB_MEMORY_MB=2048");

        Assert.Equal(0, code);
        var line = ContainmentLine(output);
        Assert.Equal(CheckVerdict.Warn, CheckLine.VerdictOf(line));
        Assert.Contains("process tree (subreaper), as TERMINUS_CONTAINMENT=subreaper asks", line);
        Assert.Contains("default job limits: 2048 MB of memory, 4096 tasks", line);
    }

    [Fact]
    public void A_required_cgroup_is_reported_as_this_host_offers_it_and_nothing_is_created()
    {
        var (code, output) = Check("TERMINUS_CONTAINMENT=cgroup\nTERMINUS_JOB_MAX_TASKS=300");

        var line = ContainmentLine(output);
        var probe = CgroupHost.Probe(CgroupNames.InstanceKey(_home.Dir("jobs")));
        Assert.Equal(probe.IsUsable ? CheckVerdict.Ok : CheckVerdict.Fail, CheckLine.VerdictOf(line));
        Assert.Equal(probe.IsUsable ? 0 : 1, code);
        Assert.Contains(probe.Description, line);
        Assert.Contains("300 tasks", line);
        Assert.All(probe.Trees, t => Assert.False(Directory.Exists(t.Directory), $"check created {t.Directory}"));
    }

    [Fact]
    public void Where_bwrap_works_the_sandbox_is_ok_and_names_what_a_job_cannot_see_or_write()
    {
        var (_, output) = Check();

        var line = SandboxLine(output);
        Assert.Equal(CheckVerdict.Ok, CheckLine.VerdictOf(line));
        Assert.Matches(@"\] sandbox: bwrap \S+ \(/usr/bin/bwrap\) works here; ", line);
        Assert.Contains($"hidden: {_home.DotDir}; read-only: {_home.Dir("data")}, {_home.Dir("services")}, 0 datasource link targets; "
            + $"in {_home.Dir("jobs")} only the job's own directory; a private /tmp", line);
    }

    [Fact]
    public void When_auto_cannot_sandbox_it_is_a_warning_that_says_why()
    {
        var (code, output) = Check(path: "/nonexistent");

        Assert.Equal(0, code);
        var line = SandboxLine(output);
        Assert.Equal(CheckVerdict.Warn, CheckLine.VerdictOf(line));
        Assert.Contains("no sandbox, as it cannot be used here (bwrap is not installed (none on PATH; the Debian package is bubblewrap))", line);
    }

    [Fact]
    public void When_on_cannot_sandbox_it_is_a_failure()
    {
        var (code, output) = Check("TERMINUS_SANDBOX=on", path: "/nonexistent");

        Assert.Equal(1, code);
        var line = SandboxLine(output);
        Assert.Equal(CheckVerdict.Fail, CheckLine.VerdictOf(line));
        Assert.Contains("TERMINUS_SANDBOX=on, but jobs cannot be sandboxed here (bwrap is not installed", line);
        Assert.EndsWith("the daemon will not start", line.TrimEnd('\r'));
    }

    [Fact]
    public void Off_is_a_warning_that_names_the_key()
    {
        var line = SandboxLine(Check("TERMINUS_SANDBOX=off").Output);

        Assert.Equal(CheckVerdict.Warn, CheckLine.VerdictOf(line));
        Assert.Contains("no sandbox, as TERMINUS_SANDBOX=off asks", line);
    }
}
