using System.Text.Json;
using Akka.Actor;
using Terminus.Actors.Steps;
using Terminus.Core.Jobs;
using Terminus.Core.Services;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Steps;

public sealed class StepPoolSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    internal static JobSpec Spec(long id) => new(new JobId(id), "t", "t", "svc", "c", "p", "e", "r", false,
        new Dictionary<string, JsonElement>(), new ServiceDefinition("svc", "/s", ServiceType.Python, "/bin/sh", "/s/svc.py", 1, 1, 1), "/d");

    /// <summary>Starts every step and holds it until released; records the most ever running at once.</summary>
    private sealed class HeldExecutor : IStepExecutor
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        public int MaxRunning;

        public async Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            lock (this) MaxRunning = Math.Max(MaxRunning, now);
            started();
            await _release.Task;
            Interlocked.Decrement(ref _running);
            return new StepOutcome.Succeeded();
        }

        public void Release() => _release.TrySetResult();
    }

    private sealed class ThrowingExecutor : IStepExecutor
    {
        public Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("executor bug");
    }

    [Fact]
    public async Task A_pool_never_runs_more_steps_at_once_than_it_has_workers()
    {
        var executor = new HeldExecutor();
        var pool = Sys.ActorOf(StepPoolActor.Props(executor, 2));
        for (var i = 1; i <= 5; i++) pool.Tell(new RunStep(StepKind.Run, Spec(i)));

        await ExpectMsgAsync<StepStarted>();
        await ExpectMsgAsync<StepStarted>();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        executor.Release();
        var replies = new List<object>();
        await foreach (var reply in ReceiveNAsync(8, TimeSpan.FromSeconds(10))) replies.Add(reply);
        Assert.Equal(3, replies.OfType<StepStarted>().Count());
        Assert.Equal(5, replies.OfType<StepSucceeded>().Count());
        Assert.Equal(2, executor.MaxRunning);
    }

    [Fact]
    public async Task An_executor_that_throws_gives_a_failed_step_not_silence()
    {
        var worker = Sys.ActorOf(StepPoolActor.Props(new ThrowingExecutor(), 1));
        worker.Tell(new RunStep(StepKind.Upload, Spec(9)));
        var failed = await ExpectMsgAsync<StepFailed>();
        Assert.Equal((new JobId(9), StepKind.Upload), (failed.JobId, failed.Kind));
        Assert.StartsWith("Job stopped with error message : 'internal error", failed.StatusText);
        worker.Tell(new RunStep(StepKind.Upload, Spec(10)));
        Assert.Equal(new JobId(10), (await ExpectMsgAsync<StepFailed>()).JobId);
    }

    [Fact]
    public async Task A_timed_out_outcome_is_reported_with_the_0_7_text()
    {
        var worker = Sys.ActorOf(StepPoolActor.Props(new FixedExecutor(new StepOutcome.TimedOut("limit 1 min")), 1));
        worker.Tell(new RunStep(StepKind.Run, Spec(11)));
        var failed = await ExpectMsgAsync<StepFailed>();
        Assert.True(failed.TimedOut);
        Assert.Equal("Job timed out", failed.StatusText);
    }

    private sealed class FixedExecutor(StepOutcome outcome) : IStepExecutor
    {
        public Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken) => Task.FromResult(outcome);
    }
}
