using System.Text.Json;
using Terminus.Actors.Execution.Slurm;
using Terminus.Actors.Steps;
using Terminus.Actors.Tests.Fakes;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Xunit.Abstractions;

namespace Terminus.Actors.Tests.Execution.Slurm;

/// <summary>The SLURM runner against a fake cluster: submission, following, stuck and lost jobs, re-attaching.</summary>
public sealed class SlurmRunnerSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestTree _tree = new();
    private readonly FakeSlurm _slurm = new();
    private SlurmRunner? _made;
    private TerminusSettings _settings;
    private int _started;

    public SlurmRunnerSpecs(ITestOutputHelper output) : base(output: output)
    {
        _settings = new TerminusSettings("myhost", Path.Combine(_tree.Root, ".terminus"), Path.Combine(_tree.Root, "data"), _tree.JobRoot,
            Path.Combine(_tree.Root, "services"), true, "Galactica_storage", 1, 2, new BrokerSettings("localhost", 5672, "v", "u", "p", false))
        {
            Slurm = new SlurmSettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), 10_000, TimeSpan.Zero, TimeSpan.Zero)
            { ExitRecordGrace = TimeSpan.FromMilliseconds(300) },
        };
    }

    /// <summary>Made at first use, so that a test may change the settings before.</summary>
    private SlurmRunner Runner => _made ??= SlurmRunner.Create(new StepContext(Sys, Sys.Log), _settings, _slurm);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _tree.Dispose();
    }

    private JobSpec Spec(long id = 7, int timeoutMinutes = 1)
    {
        var task = ((Terminus.Core.Celery.DecodedTask)Terminus.Core.Celery.CeleryDecoder.Decode(FakeDelivery.Job(id).Message)).Task;
        var spec = ((ValidJob)_tree.Validator().Validate(((BoundJob)JobRequestBinder.Bind(task)).Request)).Spec;
        return spec with { Service = spec.Service with { TimeoutMinutes = timeoutMinutes } };
    }

    private Task<StepOutcome> Run(JobSpec spec, bool resume = false) =>
        Runner.ExecuteAsync(new RunStep(StepKind.Run, spec, resume), StepControl.None(() => Interlocked.Increment(ref _started)))
            .WaitAsync(TimeSpan.FromSeconds(20));

    /// <summary>The SLURM id once the runner has submitted the job and recorded it in the job directory.</summary>
    private async Task<string> Submitted()
    {
        await AwaitConditionAsync(() => Task.FromResult(!_slurm.Jobs.IsEmpty
            && Directory.EnumerateFiles(_tree.JobRoot, "terminus_slurm.json", SearchOption.AllDirectories).Any()));
        return _slurm.Jobs.Keys.Single();
    }

    private void WriteExit(JobSpec spec, string status, string message)
    {
        var dir = JobPaths.For(_tree.JobRoot, spec);
        File.AppendAllText(dir.StatusFile, $$"""{"status": "running", "message": "job is running"}""" + "\n" +
                                            $$"""{"status": "{{status}}", "message": "{{message}}"}""" + "\n");
        File.WriteAllText(dir.ExitFile, $$"""{"status": "{{status}}", "message": "{{message}}", "exit_code": {{(status == "completed" ? 0 : 1)}}, "signal": null}""");
    }

    [Fact]
    public async Task A_refused_submission_fails_at_once_with_sbatch_s_error()
    {
        _slurm.RefuseWith = "Batch job submission failed: More processors requested than permitted";
        var failed = Assert.IsType<StepOutcome.Failed>(await Run(Spec()));
        Assert.Equal("SLURM error : job submission failed (sbatch: error: Batch job submission failed: More processors requested than permitted)", failed.StatusText);
        Assert.Equal(0, _started);
    }

    [Fact]
    public async Task A_job_is_submitted_followed_and_succeeds_only_with_its_exit_record()
    {
        // The runner waits for the exit record far longer than this test can take, however busy the machine.
        _settings = _settings with { Slurm = _settings.Slurm with { ExitRecordGrace = TimeSpan.FromMinutes(5) } };
        var spec = Spec();
        var run = Run(spec);
        var id = await Submitted();
        var paths = JobPaths.For(_tree.JobRoot, spec);
        Assert.StartsWith("#!/bin/sh\n#SBATCH --job-name=terminus-myhost-7\n", File.ReadAllText(paths.BatchScript));
        Assert.Equal(id, JsonDocument.Parse(File.ReadAllText(paths.SlurmRecordFile)).RootElement.GetProperty("job_id").GetString());
        Assert.Equal(0, _started);

        _slurm.Jobs[id].State = "RUNNING";
        await AwaitConditionAsync(() => Task.FromResult(_started == 1));
        _slurm.Jobs[id].State = "COMPLETED";
        // Two polls after COMPLETED: the runner has seen it, and goes on waiting for the exit record.
        var polls = _slurm.Calls.Count;
        await AwaitConditionAsync(() => Task.FromResult(_slurm.Calls.Count >= polls + 2));
        Assert.False(run.IsCompleted, "COMPLETED without an exit record is not a success (yet)");
        WriteExit(spec, "completed", "job executed successfully");
        Assert.IsType<StepOutcome.Succeeded>(await run);
        Assert.Equal(1, _slurm.CallsOf("sbatch"));
    }

    [Fact]
    public async Task A_job_cancelled_from_outside_is_reported_cancelled()
    {
        var run = Run(Spec());
        var id = await Submitted();
        _slurm.Jobs[id].State = "CANCELLED by 0";
        Assert.Equal($"Job stopped with error message : 'the SLURM job {id} was cancelled'.", Assert.IsType<StepOutcome.Failed>(await run).StatusText);
    }

    [Fact]
    public async Task A_job_pending_for_a_reason_that_cannot_clear_is_cancelled_and_failed()
    {
        var run = Run(Spec());
        var id = await Submitted();
        _slurm.Jobs[id].Reason = "PartitionConfig";
        var failed = Assert.IsType<StepOutcome.Failed>(await run);
        Assert.Equal($"Job stopped with error message : 'the SLURM job {id} could not start: PartitionConfig'.", failed.StatusText);
        Assert.Equal("CANCELLED", _slurm.Jobs[id].State);
    }

    [Fact]
    public async Task A_job_the_scheduler_forgets_without_a_result_is_lost_after_its_deadline_never_a_success()
    {
        var run = Run(Spec(timeoutMinutes: 0));
        var id = await Submitted();
        _slurm.Jobs[id].State = "RUNNING";
        await AwaitConditionAsync(() => Task.FromResult(_started == 1));
        _slurm.Jobs.TryRemove(id, out _);
        var lost = Assert.IsType<StepOutcome.Failed>(await run);
        Assert.Contains("was lost", lost.StatusText);
    }

    [Fact]
    public async Task A_resumed_job_re_attaches_to_its_slurm_job_and_never_submits_again()
    {
        var spec = Spec();
        using var stop = new CancellationTokenSource();
        var first = Runner.ExecuteAsync(new RunStep(StepKind.Run, spec),
            new StepControl(_ => Interlocked.Increment(ref _started), CancellationToken.None, stop.Token));
        var id = await Submitted();
        _slurm.Jobs[id].State = "RUNNING";
        await AwaitConditionAsync(() => Task.FromResult(_started == 1));
        stop.Cancel(); // the daemon stops: the SLURM job goes on
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("RUNNING", _slurm.Jobs[id].State);

        var resumed = Run(spec, resume: true); // as a restarted daemon does
        WriteExit(spec, "failed", "no gas particles");
        _slurm.Jobs[id].State = "FAILED";
        _slurm.Jobs[id].ExitCode = "1:0";
        Assert.Equal("Job stopped with error message : 'no gas particles'.", Assert.IsType<StepOutcome.Failed>(await resumed).StatusText);
        Assert.Equal(1, _slurm.CallsOf("sbatch"));
    }

    [Fact]
    public async Task A_record_rewritten_to_name_another_slurm_job_is_not_trusted_and_a_stop_cancels_only_the_job_s_own()
    {
        var spec = Spec();
        using var shutdown = new CancellationTokenSource();
        var first = Runner.ExecuteAsync(new RunStep(StepKind.Run, spec), new StepControl(_ => { }, CancellationToken.None, shutdown.Token));
        var id = await Submitted();
        _slurm.Jobs[id].State = "RUNNING";
        shutdown.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(TimeSpan.FromSeconds(5)));

        // The service rewrites the record to name someone else's job.
        _slurm.Jobs["999"] = new FakeSlurm.Job { Name = "someone-else", State = "RUNNING" };
        File.WriteAllText(JobPaths.For(_tree.JobRoot, spec).SlurmRecordFile, """{"job_id": "999", "submitted": "2026-01-01T00:00:00Z"}""");
        using var stop = new CancellationTokenSource();
        var resumed = Runner.ExecuteAsync(new RunStep(StepKind.Run, spec, Resume: true), new StepControl(_ => { }, stop.Token, CancellationToken.None));
        await AwaitConditionAsync(() => Task.FromResult(_slurm.Calls.Any(c => c == "squeue -h -t all -o %i --name terminus-myhost-7")));
        stop.Cancel(); // its deadline passed, say
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resumed.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("CANCELLED", _slurm.Jobs[id].State);
        Assert.Equal("RUNNING", _slurm.Jobs["999"].State);
        Assert.All(_slurm.Calls.Where(c => c.StartsWith("scancel", StringComparison.Ordinal)), c => Assert.Equal($"scancel --name terminus-myhost-7 {id}", c));
    }

    [Fact]
    public async Task A_job_submitted_just_before_a_crash_is_found_again_by_its_name()
    {
        var spec = Spec();
        var run = Run(spec);
        var id = await Submitted();
        File.Delete(JobPaths.For(_tree.JobRoot, spec).SlurmRecordFile); // as if the daemon died before writing it
        _slurm.Jobs[id].State = "COMPLETED";
        WriteExit(spec, "completed", "job executed successfully");
        await run;

        Assert.IsType<StepOutcome.Succeeded>(await Run(spec, resume: true));
        Assert.Equal(1, _slurm.CallsOf("sbatch"));
        Assert.Contains(_slurm.Calls, c => c.Contains("--name terminus-myhost-7"));
    }
}
