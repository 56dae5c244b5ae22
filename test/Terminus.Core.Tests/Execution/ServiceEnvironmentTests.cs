using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class ServiceEnvironmentTests
{
    private static readonly Dictionary<string, string?> Daemon = new()
    {
        ["HOME"] = "/home/lab", ["USER"] = "lab", ["PATH"] = "/opt/dotnet:/usr/bin", ["RABBITMQ_USERNAME"] = "terminus",
        ["RABBITMQ_HOST"] = "rabbit", ["TERMINUS_DOT_DIR"] = "/home/lab/.terminus", ["DOTNET_ROOT"] = "/opt/dotnet",
        ["PYTHONPATH"] = "/opt/lib", ["AWS_SECRET_ACCESS_KEY"] = "s3cr3t",
    };

    [Fact]
    public void Services_get_a_clean_environment_without_broker_settings_or_secrets()
    {
        var env = ServiceEnvironment.Build(Daemon, "/opt/conda/bin/python", []);
        Assert.Equal(new Dictionary<string, string>
        {
            ["HOME"] = "/home/lab", ["USER"] = "lab", ["LANG"] = "C.UTF-8", ["PATH"] = "/opt/conda/bin:" + ServiceEnvironment.BasePath,
        }, env);
    }

    [Fact]
    public void The_operator_may_pass_named_variables_on()
    {
        var env = ServiceEnvironment.Build(Daemon, "/usr/bin/python3", ["PYTHONPATH", "NOT_SET_ANYWHERE"]);
        Assert.Equal("/opt/lib", env["PYTHONPATH"]);
        Assert.False(env.ContainsKey("NOT_SET_ANYWHERE"));
        Assert.Equal(ServiceEnvironment.BasePath, env["PATH"]);
        Assert.Equal("/usr/bin/python3:/x", ServiceEnvironment.Build(new Dictionary<string, string?> { ["PATH"] = "/x" }, "/usr/bin/python3/python", ["PATH"])["PATH"]);
    }
}
