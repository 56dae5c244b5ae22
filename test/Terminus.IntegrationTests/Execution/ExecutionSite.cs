using System.Text.Json;
using Akka.Event;
using Terminus.Actors.Execution;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Services;
using Terminus.Infrastructure.Sandbox;
using Terminus.IntegrationTests.Infrastructure;

namespace Terminus.IntegrationTests.Execution;

/// <summary>A lab machine's directories in a folder of its own (see <see cref="ItEnvironment.NewSiteRoot"/>), for running real services without a broker.</summary>
public sealed class ExecutionSite : IDisposable
{
    public const string Python3 = "/usr/bin/python3";
    private static long _nextJobId = 7_000_000 + Random.Shared.Next(0, 100_000) * 10L;

    public ExecutionSite()
    {
        Root = ItEnvironment.NewSiteRoot("terminus-exec-");
        foreach (var d in new[] { DataDir, JobDir, ServiceDir }) Directory.CreateDirectory(d);
        Directory.CreateDirectory(Path.Combine(DataDir, "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", "output_00003"));
    }

    public string Root { get; }
    public string DataDir => Path.Combine(Root, "data");
    public string JobDir => Path.Combine(Root, "jobs");
    public string ServiceDir => Path.Combine(Root, "services");
    public string SimulationDir => Path.Combine(DataDir, "GAL_FORMATION", "TEST_GALAXY", "SIMU_1");

    /// <summary>A Python 2.7 interpreter: pyenv's on the dev and CI machines, or TERMINUS_IT_PYTHON2.</summary>
    public static string Python2 =>
        Environment.GetEnvironmentVariable("TERMINUS_IT_PYTHON2") is { Length: > 0 } p ? p : "/root/.pyenv/versions/2.7.18/bin/python2.7";

    public TerminusSettings Settings(ExecutionSettings? execution = null) =>
        new("ithost", Path.Combine(Root, ".terminus"), DataDir, JobDir, ServiceDir, false, "Galactica_storage", 1, 2,
            new BrokerSettings("localhost", 5672, "terminus", "u", "p", false))
        { Execution = execution ?? ExecutionSettings.Default };

    /// <summary>
    /// The runner as the daemon makes it: its jobs in the sandbox the detection finds here (which must work: the
    /// services of these tests are proven to run unchanged inside it).
    /// </summary>
    public LocalServiceRunner Runner(ExecutionSettings? execution = null, TimeSpan? limit = null)
    {
        var settings = Settings(execution);
        var detection = SandboxDetection.RunAsync(settings, Environment.GetEnvironmentVariable("PATH")).GetAwaiter().GetResult();
        var sandbox = new JobSandbox(settings, detection);
        if (!sandbox.IsOn) throw new InvalidOperationException($"the tests need the sandbox: {detection.Decision.Detail}");
        return new LocalServiceRunner(settings, Log, limit is null ? null : _ => limit.Value, sandbox: sandbox);
    }

    public void AddService(string name, string script, string type = "python", string interpreter = Python3, int timeoutMinutes = 1)
    {
        var dir = Directory.CreateDirectory(Path.Combine(ServiceDir, name)).FullName;
        File.WriteAllText(Path.Combine(dir, name + (type == "bash" ? ".sh" : ".py")), script);
        File.WriteAllText(Path.Combine(dir, "service.json"),
            $$$"""{"job": {"type": "{{{type}}}", "interpreter": "{{{interpreter}}}", "timout_mn": {{{timeoutMinutes}}}}}""");
    }

    public JobSpec Spec(string service, string parameters = "{}", bool test = false, string dataRef = "output_00003", long? jobId = null)
    {
        var found = (ServiceFound)new ServiceCatalog(ServiceDir).Find(service);
        var ps = JsonDocument.Parse(parameters).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        return new JobSpec(new JobId(jobId ?? Interlocked.Increment(ref _nextJobId)), "task", "task", service,
            "GAL_FORMATION", "TEST_GALAXY", "SIMU_1", dataRef, test, ps, found.Service, SimulationDir);
    }

    public JobPaths Paths(JobSpec spec) => JobPaths.For(JobDir, spec);

    public static RunStep Step(StepKind kind, JobSpec spec) => new(kind, spec);

    public static ILoggingAdapter Log => NoLogger.Instance;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
