using System.Collections.Concurrent;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using Terminus.Actors.Hosting;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>The daemon's actor system in the test process, on the real broker, with a runner the test controls.</summary>
public sealed class InProcessDaemon : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessDaemon(IHost host) => _host = host;

    public static async Task<InProcessDaemon> StartAsync(TerminusSettings settings, IStepExecutor runner)
    {
        var runtime = TerminusRuntime.For(settings) with { Runner = _ => runner };
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddAkka("terminus-it", (akka, _) => akka.AddTerminus(settings, runtime));
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessDaemon(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(60));
        _host.Dispose();
    }
}

/// <summary>A runner whose services run until the test releases them; it counts the runs per job.</summary>
public sealed class HeldRunner : IStepExecutor
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public ConcurrentDictionary<JobId, int> Runs { get; } = new();
    public int Running => _running;
    private int _running;

    public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
    {
        Runs.AddOrUpdate(step.Spec.JobId, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _running);
        control.Started();
        try { await _release.Task.WaitAsync(control.Any); }
        finally { Interlocked.Decrement(ref _running); }
        return new StepOutcome.Failed(StatusTexts.StoppedWithError("released by the test"), "");
    }

    public void ReleaseAll() => _release.TrySetResult();
}
