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

    private (int Code, string Output) Check(string extraKeys = "")
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
        return _home.Run(io => new CheckCommand(io).RunAsync(["--skip-ssh", "--skip-broker"]).GetAwaiter().GetResult());
    }

    private static string ContainmentLine(string output) =>
        Assert.Single(output.Split('\n'), l => l.Contains("] containment: ", StringComparison.Ordinal));

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
}
