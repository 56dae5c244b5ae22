using System.Text.Json;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Core.Services;

namespace Terminus.Core.Tests.Execution;

public sealed class RunnerRequestTests
{
    internal static JobSpec Spec(string dataRef = "output_00003", string parameters = """{"xcenter": 0.5, "size": [0.1, "kpc"]}""",
        ServiceType type = ServiceType.Python, bool test = false) =>
        new(new JobId(123), "task-1", "task-1", "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", dataRef, test,
            JsonDocument.Parse(parameters).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
            new ServiceDefinition("density_map", "/srv/services/density_map", type, "/usr/bin/python3",
                type == ServiceType.Python ? "/srv/services/density_map/density_map.py" : "/srv/services/density_map/density_map.sh", 1, 8, 30),
            "/data/GAL_FORMATION/TEST_GALAXY/SIMU_1");

    [Fact]
    public void The_request_carries_everything_the_runner_needs_as_data()
    {
        using var doc = JsonDocument.Parse(RunnerRequest.ToJson(Spec(), "myhost", "/usr/bin/python3", TimeSpan.FromSeconds(10)));
        var r = doc.RootElement;
        Assert.Equal(RunnerRequest.Format, r.GetProperty("format").GetInt32());
        Assert.Equal(123, r.GetProperty("job_id").GetInt64());
        Assert.Equal("123_density_map", r.GetProperty("job_name").GetString());
        Assert.Equal("myhost", r.GetProperty("host").GetString());
        Assert.Equal("python", r.GetProperty("service").GetProperty("type").GetString());
        Assert.Equal("/srv/services/density_map/density_map.py", r.GetProperty("service").GetProperty("script").GetString());
        Assert.Equal("/data/GAL_FORMATION/TEST_GALAXY/SIMU_1", r.GetProperty("data_path").GetString());
        Assert.Equal("GAL_FORMATION/TEST_GALAXY/SIMU_1", r.GetProperty("portal_data_path").GetString());
        Assert.Equal("output_00003", r.GetProperty("data_ref").GetString());
        Assert.False(r.GetProperty("test").GetBoolean());
        Assert.Equal("""{"size":[0.1,"kpc"],"xcenter":0.5}""", JsonSerializer.Serialize(r.GetProperty("params")));
    }

    [Theory]
    [InlineData("x\"\nimport os; os.system(\"touch /tmp/pwned\")\n#")]
    [InlineData("'; rm -rf / #")]
    [InlineData("$(reboot)`id`")]
    public void Hostile_text_stays_a_json_string_value(string dataRef)
    {
        using var doc = JsonDocument.Parse(RunnerRequest.ToJson(Spec(dataRef: dataRef, parameters: $$"""{"p": {{JsonSerializer.Serialize(dataRef)}}}"""), "h", "/py", TimeSpan.FromSeconds(10)));
        Assert.Equal(dataRef, doc.RootElement.GetProperty("data_ref").GetString());
        Assert.Equal(dataRef, doc.RootElement.GetProperty("params").GetProperty("p").GetString());
    }

    [Fact]
    public void A_bash_service_is_run_by_the_configured_python_and_a_python_service_by_its_own_interpreter()
    {
        var bash = Spec(type: ServiceType.Bash).Service with { Interpreter = "/bin/bash" };
        Assert.Equal("/opt/py/bin/python3", RunnerRequest.RunnerInterpreter(bash, "/opt/py/bin/python3"));
        Assert.Equal("/usr/bin/python3", RunnerRequest.RunnerInterpreter(Spec().Service, "/opt/py/bin/python3"));
    }
}
