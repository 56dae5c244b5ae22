using System.Text.Json;
using Terminus.Core.Celery;
using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public class JobRequestBinderTests
{
    internal static CeleryTask Task(string args, string kwargs = "{}", string name = JobRequestBinder.TaskName) => new(
        name, "task-1",
        JsonDocument.Parse(args).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray(),
        JsonDocument.Parse(kwargs).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
        2, "root-1", null);

    [Fact]
    public void Positional_arguments_bind_like_the_wire_example()
    {
        var bound = Assert.IsType<BoundJob>(JobRequestBinder.Bind(Task(
            """[123, "density_map", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "output_00003"]""",
            """{"xcenter": 0.5, "size": [0.1, "kpc"], "test": false}"""))).Request;

        Assert.Equal(new JobId(123), bound.JobId);
        Assert.Equal("density_map", bound.ServiceName!.Value.GetString());
        Assert.Equal("output_00003", bound.DataRef!.Value.GetString());
        Assert.Equal(JsonValueKind.False, bound.Test!.Value.ValueKind);
        Assert.Equal(["xcenter", "size"], bound.Parameters.Keys);
        Assert.Empty(bound.BindingErrors);
        Assert.Equal("task-1", bound.TaskId);
        Assert.Equal("root-1", bound.RootTaskId);
    }

    [Fact]
    public void Keyword_arguments_bind_too()
    {
        var bound = Assert.IsType<BoundJob>(JobRequestBinder.Bind(Task("[]",
            """{"jobid": 7, "service_name": "s", "cat_alias": "c", "proj_alias": "p", "exp_alias": "e", "data_ref": "r", "n": 1}"""))).Request;
        Assert.Equal(new JobId(7), bound.JobId);
        Assert.Equal("e", bound.ExpAlias!.Value.GetString());
        Assert.Equal(["n"], bound.Parameters.Keys);
        Assert.Null(bound.Test);
        Assert.Empty(bound.BindingErrors);
    }

    [Fact]
    public void Mixed_positional_and_keyword_arguments_bind()
    {
        var bound = Assert.IsType<BoundJob>(JobRequestBinder.Bind(Task("""[8, "s", "c"]""",
            """{"proj_alias": "p", "exp_alias": "e", "data_ref": "r"}"""))).Request;
        Assert.Empty(bound.BindingErrors);
        Assert.Equal("p", bound.ProjAlias!.Value.GetString());
    }

    [Theory]
    [InlineData("""["123", "s", "c", "p", "e", "r"]""")]
    [InlineData("""[12.0, "s", "c", "p", "e", "r"]""")]
    [InlineData("""[1e3, "s", "c", "p", "e", "r"]""")]
    [InlineData("""[-1, "s", "c", "p", "e", "r"]""")]
    [InlineData("""[true, "s", "c", "p", "e", "r"]""")]
    [InlineData("""[null, "s", "c", "p", "e", "r"]""")]
    [InlineData("""[99999999999999999999999, "s", "c", "p", "e", "r"]""")]
    [InlineData("""[]""")]
    public void A_request_without_a_usable_integer_job_id_is_unusable(string args)
    {
        var unusable = Assert.IsType<UnusableJob>(JobRequestBinder.Bind(Task(args)));
        Assert.Contains("jobid", unusable.Reason);
    }

    [Fact]
    public void Missing_duplicate_and_extra_arguments_are_binding_errors_of_a_usable_job()
    {
        var missing = Assert.IsType<BoundJob>(JobRequestBinder.Bind(Task("""[5, "s"]"""))).Request;
        Assert.Equal(["missing argument 'cat_alias'", "missing argument 'proj_alias'", "missing argument 'exp_alias'", "missing argument 'data_ref'"],
            missing.BindingErrors);

        var twice = Assert.IsType<BoundJob>(JobRequestBinder.Bind(Task("""[5, "s", "c", "p", "e", "r"]""", """{"service_name": "x"}"""))).Request;
        Assert.Contains("argument 'service_name' given twice (positionally and by keyword)", twice.BindingErrors);

        var extra = Assert.IsType<BoundJob>(JobRequestBinder.Bind(Task("""[5, "s", "c", "p", "e", "r", "more"]"""))).Request;
        Assert.Contains("7 positional arguments given, at most 6 accepted", extra.BindingErrors);
    }
}
