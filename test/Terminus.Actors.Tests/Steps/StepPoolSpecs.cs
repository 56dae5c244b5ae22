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

        public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
        {
            var now = Interlocked.Increment(ref _running);
            lock (this) MaxRunning = Math.Max(MaxRunning, now);
            control.Started();
            await _release.Task;
            Interlocked.Decrement(ref _running);
            return new StepOutcome.Succeeded();
        }

        public void Release() => _release.TrySetResult();
    }

    private sealed class ThrowingExecutor : IStepExecutor
    {
        public Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control) =>
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

    /// <summary>Works until stopped; then takes a while to end its work, as killing a process does.</summary>
    private sealed class StoppableExecutor : IStepExecutor
    {
        public readonly TaskCompletionSource WorkEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource AllowEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Started;

        public async Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control)
        {
            if (Interlocked.Increment(ref Started) > 1) return new StepOutcome.Succeeded();
            control.Started();
            try { await Task.Delay(Timeout.Infinite, control.Stop); }
            catch (OperationCanceledException) { }
            await AllowEnd.Task;
            WorkEnded.TrySetResult();
            throw new OperationCanceledException(control.Stop);
        }
    }

    [Fact]
    public async Task A_stopped_step_is_answered_with_the_stop_s_reason_only_once_its_work_has_ended_and_its_worker_is_free_again()
    {
        var executor = new StoppableExecutor();
        var pool = Sys.ActorOf(StepPoolActor.Props(executor, 1));
        pool.Tell(new RunStep(StepKind.Upload, Spec(20)));
        await ExpectMsgAsync<StepStarted>();
        pool.Tell(new RunStep(StepKind.Upload, Spec(21))); // waits for the only worker

        pool.Tell(new StopStep(new JobId(20), StepKind.Upload, "upload failed", "the upload did not finish in time", false));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // its work has not ended yet
        executor.AllowEnd.SetResult();
        var failed = await ExpectMsgAsync<StepFailed>();
        Assert.True(executor.WorkEnded.Task.IsCompleted);
        Assert.Equal((new JobId(20), "upload failed", "the upload did not finish in time"), (failed.JobId, failed.StatusText, failed.Detail));
        Assert.Equal(new JobId(21), (await ExpectMsgAsync<StepSucceeded>()).JobId); // the next job got the freed worker
    }

    [Fact]
    public async Task A_stopped_step_still_waiting_for_a_worker_is_dropped_and_answered_at_once()
    {
        var executor = new HeldExecutor();
        var pool = Sys.ActorOf(StepPoolActor.Props(executor, 1));
        pool.Tell(new RunStep(StepKind.Package, Spec(30)));
        await ExpectMsgAsync<StepStarted>();
        pool.Tell(new RunStep(StepKind.Package, Spec(31)));
        pool.Tell(new StopStep(new JobId(31), StepKind.Package, "tarball error", "packaging did not finish in time", false));
        Assert.Equal(new JobId(31), (await ExpectMsgAsync<StepFailed>()).JobId);
        executor.Release();
        Assert.Equal(new JobId(30), (await ExpectMsgAsync<StepSucceeded>()).JobId);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // job 31 never started
        Assert.Equal(1, executor.MaxRunning);
    }

    private sealed class FixedExecutor(StepOutcome outcome) : IStepExecutor
    {
        public Task<StepOutcome> ExecuteAsync(RunStep step, StepControl control) => Task.FromResult(outcome);
    }
}
