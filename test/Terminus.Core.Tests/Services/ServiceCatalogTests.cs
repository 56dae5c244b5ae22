using Terminus.Core.Jobs;
using Terminus.Core.Services;

namespace Terminus.Core.Tests.Services;

public sealed class ServiceCatalogTests : IDisposable
{
    private readonly ServiceTree _tree = new();
    private ServiceCatalog Catalog => new(_tree.ServiceDir);

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void A_python_service_with_defaults()
    {
        _tree.AddService("density_map", _tree.PythonServiceJson());
        var service = Assert.IsType<ServiceFound>(Catalog.Find("density_map")).Service;
        Assert.Equal(ServiceType.Python, service.Type);
        Assert.Equal(_tree.Interpreter, service.Interpreter);
        Assert.EndsWith("density_map/density_map.py", service.ScriptPath);
        Assert.Equal((1, 8, 30), (service.Nodes, service.Cores, service.TimeoutMinutes));
        Assert.Equal((null, null), (service.MemoryMb, service.MaxTasks));
    }

    [Theory]
    [InlineData("\"memory_mb\": 4096, \"max_tasks\": 200", 4096, 200)]
    [InlineData("\"memory_mb\": \"512\"", 512, null)]
    [InlineData("\"max_tasks\": 64", null, 64)]
    public void Memory_and_task_limits_of_its_own(string extra, int? memoryMb, int? maxTasks)
    {
        _tree.AddService("svc", _tree.PythonServiceJson(", " + extra));
        var s = Assert.IsType<ServiceFound>(Catalog.Find("svc")).Service;
        Assert.Equal((memoryMb, maxTasks), (s.MemoryMb, s.MaxTasks));
    }

    [Theory]
    [InlineData("\"n_nodes\": 4, \"n_cores\": 64, \"timout_mn\": 30", 4, 64, 30)]
    [InlineData("\"n_nodes\": \"2\", \"n_cores\": \" 16 \", \"timeout_mn\": 90", 2, 16, 90)]
    [InlineData("\"timeout_min\": 5, \"unknown\": true", 1, 8, 5)]
    public void Sizes_and_time_limit_in_every_accepted_spelling(string extra, int nodes, int cores, int timeout)
    {
        _tree.AddService("svc", _tree.PythonServiceJson(", " + extra));
        var s = Assert.IsType<ServiceFound>(Catalog.Find("svc")).Service;
        Assert.Equal((nodes, cores, timeout), (s.Nodes, s.Cores, s.TimeoutMinutes));
    }

    [Fact]
    public void Service_names_that_are_not_python_identifiers_work()
    {
        _tree.AddService("my-service", _tree.PythonServiceJson());
        _tree.AddService("3d_cube", _tree.PythonServiceJson());
        Assert.IsType<ServiceFound>(Catalog.Find("my-service"));
        Assert.IsType<ServiceFound>(Catalog.Find("3d_cube"));
    }

    [Fact]
    public void A_bash_service_needs_its_sh_script()
    {
        _tree.AddService("bashy", """{"job": {"type": "bash", "interpreter": "/bin/sh"}}""", ".sh");
        Assert.Equal(ServiceType.Bash, Assert.IsType<ServiceFound>(Catalog.Find("bashy")).Service.Type);

        _tree.AddService("mixed", """{"job": {"type": "bash", "interpreter": "/bin/sh"}}""", ".py");
        Assert.Equal(StatusTexts.ServiceNotAvailable("mixed"), Assert.IsType<ServiceUnusable>(Catalog.Find("mixed")).StatusText);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("..")]
    [InlineData("../services")]
    public void Unknown_or_unsafe_names_are_not_available(string name) =>
        Assert.Equal(StatusTexts.ServiceNotAvailable(name), Assert.IsType<ServiceUnusable>(Catalog.Find(name)).StatusText);

    [Fact]
    public void A_directory_without_its_script_is_not_available()
    {
        Directory.CreateDirectory(Path.Combine(_tree.ServiceDir, "empty"));
        Assert.Equal(StatusTexts.ServiceNotAvailable("empty"), Assert.IsType<ServiceUnusable>(Catalog.Find("empty")).StatusText);
    }

    [Fact]
    public void A_missing_service_json_is_reported_with_the_0_7_text()
    {
        _tree.AddService("nojson", null);
        Assert.Equal(StatusTexts.ServiceInfoNotFound, Assert.IsType<ServiceUnusable>(Catalog.Find("nojson")).StatusText);
    }

    [Theory]
    [InlineData("{not json", "invalid JSON")]
    [InlineData("[]", "single key 'job'")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh"}, "other": 1}""", "single key 'job'")]
    [InlineData("""{"job": []}""", "single key 'job'")]
    [InlineData("""{"job": {"type": "ruby", "interpreter": "/bin/sh"}}""", "job.type")]
    [InlineData("""{"job": {"interpreter": "/bin/sh"}}""", "job.type")]
    [InlineData("""{"job": {"type": "python"}}""", "job.interpreter")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/no/such/python"}}""", "job.interpreter")]
    [InlineData("""{"job": {"type": "python", "interpreter": "python3"}}""", "job.interpreter")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "n_nodes": "four"}}""", "job.n_nodes")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "n_cores": 0}}""", "job.n_cores")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "timout_mn": 2.5}}""", "job.timout_mn")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "memory_mb": 0}}""", "'job.memory_mb' must be a positive integer, got 0")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "memory_mb": "4G"}}""", "'job.memory_mb' must be a positive integer, got \"4G\"")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "max_tasks": -5}}""", "'job.max_tasks' must be a positive integer, got -5")]
    [InlineData("""{"job": {"type": "python", "interpreter": "/bin/sh", "max_tasks": null}}""", "job.max_tasks")]
    public void An_invalid_service_json_is_reported_with_the_0_7_text_and_a_detail(string json, string detail)
    {
        _tree.AddService("bad", json);
        var unusable = Assert.IsType<ServiceUnusable>(Catalog.Find("bad"));
        Assert.Equal(StatusTexts.ServiceInfoError, unusable.StatusText);
        Assert.Contains(detail, unusable.Detail);
    }
}
