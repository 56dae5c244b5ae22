namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>
/// Tests that move this test process into a job's cgroup run alone: meanwhile, every process another test starts would
/// be born in there too (and be killed with the job), and every detection would see the test process elsewhere.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone: moves the test process between cgroups";
}
