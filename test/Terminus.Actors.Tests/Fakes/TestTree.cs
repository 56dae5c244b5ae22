using Terminus.Core.Jobs;
using Terminus.Core.Services;

namespace Terminus.Actors.Tests.Fakes;

/// <summary>A service directory with <c>density_map</c> and a data directory with one simulation, deleted after the test.</summary>
internal sealed class TestTree : IDisposable
{
    public TestTree()
    {
        Root = Directory.CreateTempSubdirectory("terminus-actors-").FullName;
        var service = Directory.CreateDirectory(Path.Combine(Root, "services", "density_map")).FullName;
        File.WriteAllText(Path.Combine(service, "density_map.py"), "def run(data_path, data_ref, **kw):\n    pass\n");
        File.WriteAllText(Path.Combine(service, "service.json"), """{"job": {"type": "python", "interpreter": "/bin/sh", "timout_mn": 1}}""");
        Directory.CreateDirectory(Path.Combine(Root, "data", "GAL_FORMATION", "TEST_GALAXY", "SIMU_1"));
        Directory.CreateDirectory(JobRoot);
    }

    public string Root { get; }
    public string JobRoot => Path.Combine(Root, "jobs");

    public JobValidator Validator() => new(Path.Combine(Root, "data"), new ServiceCatalog(Path.Combine(Root, "services")));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
