using Terminus.Core.Jobs;
using Terminus.Core.Services;
using Terminus.Core.Tests.Services;

namespace Terminus.Core.Tests.Jobs;

public sealed class JobValidatorTests : IDisposable
{
    private readonly ServiceTree _tree = new();
    private readonly JobValidator _validator;

    public JobValidatorTests()
    {
        _tree.AddService("density_map", _tree.PythonServiceJson(", \"timout_mn\": 12"));
        _tree.AddData("GAL_FORMATION/TEST_GALAXY/SIMU_1");
        _validator = new JobValidator(_tree.DataDir, new ServiceCatalog(_tree.ServiceDir));
    }

    public void Dispose() => _tree.Dispose();

    private JobValidation Validate(string args, string kwargs = "{}") =>
        _validator.Validate(((BoundJob)JobRequestBinder.Bind(JobRequestBinderTests.Task(args, kwargs))).Request);

    private string FailureText(string args, string kwargs = "{}") => Assert.IsType<InvalidJob>(Validate(args, kwargs)).StatusText;

    [Fact]
    public void A_valid_request_becomes_a_job_spec()
    {
        var spec = Assert.IsType<ValidJob>(Validate(
            """[123, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "output_00003"]""", """{"xcenter": 0.5, "test": true}""")).Spec;
        Assert.Equal("123_density_map", spec.JobName);
        Assert.Equal("GAL_FORMATION/TEST_GALAXY/SIMU_1", spec.RelativeDataPath);
        Assert.Equal(Path.Combine(_tree.DataDir, "GAL_FORMATION", "TEST_GALAXY", "SIMU_1"), spec.DataPath);
        Assert.True(spec.TestMode);
        Assert.Equal(12, spec.Service.TimeoutMinutes);
        Assert.Equal(["xcenter"], spec.Parameters.Keys);
    }

    [Fact]
    public void Unknown_service() => Assert.Equal("Post-processing service 'nope' is not available.",
        FailureText("""[1, "nope", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "o"]"""));

    [Fact]
    public void Unknown_service_is_reported_before_a_missing_data_directory_as_in_0_7() =>
        Assert.Equal("Post-processing service 'nope' is not available.", FailureText("""[1, "nope", "X", "Y", "Z", "o"]"""));

    [Fact]
    public void Missing_data_directory() => Assert.Equal("Raw simulation data directory 'GAL_FORMATION/TEST_GALAXY/SIMU_2' not found.",
        FailureText("""[1, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_2", "o"]"""));

    [Theory]
    [InlineData("\"yes\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("[]")]
    public void A_test_flag_that_is_not_a_bool(string test) => Assert.Equal("'test_mode' type error: job submission failed",
        FailureText("""[1, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "o"]""", $$"""{"test": {{test}}}"""));

    [Fact]
    public void Missing_or_invalid_service_json()
    {
        _tree.AddService("nojson", null);
        _tree.AddService("badjson", "{oops");
        Assert.Equal("Service configuration json file 'service.json' not found.",
            FailureText("""[1, "nojson", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "o"]"""));
        Assert.Equal("Service configuration 'service.json' format not correct .",
            FailureText("""[1, "badjson", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "o"]"""));
    }

    [Theory]
    [InlineData("""[1, "density_map", "..", "TEST_GALAXY", "SIMU_1", "o"]""", "project category alias '..'")]
    [InlineData("""[1, "density_map", "GAL_FORMATION", "/etc", "SIMU_1", "o"]""", "project alias '/etc'")]
    [InlineData("""[1, "density_map", "GAL_FORMATION", "TEST_GALAXY", "a/../../b", "o"]""", "simulation alias 'a/../../b'")]
    [InlineData("""[1, "density_map", "GAL_FORMATION", "TEST_GALAXY", 5, "o"]""", "simulation alias '5'")]
    [InlineData("""[1, "density_map", "GAL\nFORMATION", "TEST_GALAXY", "SIMU_1", "o"]""", "project category alias 'GAL?FORMATION'")]
    public void Aliases_must_be_single_safe_segments(string args, string expected) =>
        Assert.Contains($"Invalid {expected}", FailureText(args));

    [Theory]
    [InlineData("\"../../../etc\"", "'..'")]
    [InlineData("\"/etc/passwd\"", "relative")]
    [InlineData("\"x\\\"\\nimport os; os.system('id')\\n#\"", "control characters")]
    [InlineData("12", "it must be a string")]
    [InlineData("null", "it must be a string")]
    [InlineData("\"\"", "empty")]
    public void Data_reference_must_stay_in_the_data_directory(string dataRef, string why)
    {
        var text = FailureText($$"""[1, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", {{dataRef}}]""");
        Assert.StartsWith("Invalid data reference", text);
        Assert.Contains(why, text);
        Assert.DoesNotContain("\n", text);
    }

    [Theory]
    [InlineData("[1, 5, \"c\", \"p\", \"e\", \"r\"]", "Post-processing service '5' is not available.")]
    [InlineData("[1, null, \"c\", \"p\", \"e\", \"r\"]", "Post-processing service 'null' is not available.")]
    [InlineData("[1, \"../../bin\", \"c\", \"p\", \"e\", \"r\"]", "Post-processing service '../../bin' is not available.")]
    public void A_service_name_that_is_not_a_safe_string(string args, string expected) => Assert.Equal(expected, FailureText(args));

    [Fact]
    public void Binding_errors_fail_the_job_with_a_clear_text() =>
        Assert.Equal("Invalid job request: missing argument 'data_ref'.",
            FailureText("""[1, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1"]"""));
}
