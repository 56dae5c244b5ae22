using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public class JobLifecycleTests
{
    private static JobPhase[] Phases(IEnumerable<Transition> moves) => moves.Select(m => m.To).ToArray();

    [Fact]
    public void The_table_has_one_row_per_phase_and_only_reachable_moves()
    {
        Assert.Equal(Enum.GetValues<JobPhase>(), JobLifecycle.Table.Select(r => r.Phase));
        foreach (var rule in JobLifecycle.Table)
        {
            if (rule.Step is null) Assert.Equal((StepDeadline.None, (JobPhase?)null), (rule.Deadline, rule.OnStarted)); // nothing to bound or start
            Assert.True(rule.Status is null || rule.Text is not null || rule.Phase is JobPhase.Failed or JobPhase.TimedOut,
                $"{rule.Phase} reports a status, so it needs its text (only failures bring their own)");
            if (rule.Terminal) Assert.Empty(rule.Successors());
        }
    }

    [Fact]
    public void The_happy_path_is_pending_running_success_uploaded()
    {
        JobPhase[] path = [JobPhase.Received, JobPhase.Pending, JobPhase.Running, JobPhase.Succeeded, JobPhase.Packaging, JobPhase.Uploading, JobPhase.Uploaded];
        for (var i = 1; i < path.Length; i++) Assert.True(JobLifecycle.CanMove(path[i - 1], path[i]), $"{path[i - 1]} -> {path[i]}");
        Assert.Equal(["pending", "running", "success", "uploaded"], path.Select(JobLifecycle.WireStatus).OfType<string>());
    }

    [Fact]
    public void Each_phase_says_what_it_does_and_what_bounds_it()
    {
        Assert.Equal(
            [
                (JobPhase.Received, (StepKind?)StepKind.Validate, StepDeadline.None, ResumeAction.Validate),
                (JobPhase.Pending, StepKind.Run, StepDeadline.RunStart, ResumeAction.Reattach),
                (JobPhase.Running, StepKind.Run, StepDeadline.RunLimit, ResumeAction.Reattach),
                (JobPhase.Succeeded, null, StepDeadline.None, ResumeAction.MoveOn),
                (JobPhase.Packaging, StepKind.Package, StepDeadline.Package, ResumeAction.Redo),
                (JobPhase.Uploading, StepKind.Upload, StepDeadline.Upload, ResumeAction.Redo),
                (JobPhase.Uploaded, null, StepDeadline.None, ResumeAction.Finish),
                (JobPhase.Failed, null, StepDeadline.None, ResumeAction.Finish),
                (JobPhase.TimedOut, null, StepDeadline.None, ResumeAction.Finish),
            ],
            JobLifecycle.Table.Select(r => (r.Phase, r.Step, r.Deadline, r.OnResume)));
    }

    [Fact]
    public void Validation_leads_to_pending_with_0_7_s_text_or_fails_with_the_validator_s()
    {
        var valid = Assert.Single(JobLifecycle.OnSucceeded(JobPhase.Received, StepKind.Validate, testMode: false));
        Assert.Equal(new Transition(JobPhase.Pending, StatusTexts.Submitted), valid);
        Assert.Equal(new Transition(JobPhase.Failed, "no such service", "why"),
            JobLifecycle.OnFailed(JobPhase.Received, StepKind.Validate, "no such service", "why"));
    }

    [Fact]
    public void A_run_that_starts_is_running_and_its_success_is_reported_then_packaged()
    {
        Assert.Equal(new Transition(JobPhase.Running, StatusTexts.Running), JobLifecycle.OnStarted(JobPhase.Pending, StepKind.Run));
        Assert.Null(JobLifecycle.OnStarted(JobPhase.Running, StepKind.Run)); // a second start changes nothing
        var moves = JobLifecycle.OnSucceeded(JobPhase.Running, StepKind.Run, testMode: false);
        Assert.Equal([JobPhase.Succeeded, JobPhase.Packaging], Phases(moves));
        Assert.Equal([StatusTexts.Completed, null], moves.Select(m => m.StatusText));
    }

    [Fact]
    public void A_run_that_ends_before_its_start_was_seen_starts_first()
    {
        Assert.Equal([JobPhase.Running, JobPhase.Succeeded, JobPhase.Packaging], Phases(JobLifecycle.OnSucceeded(JobPhase.Pending, StepKind.Run, testMode: false)));
        Assert.Equal([JobPhase.Running, JobPhase.Succeeded], Phases(JobLifecycle.OnSucceeded(JobPhase.Pending, StepKind.Run, testMode: true)));
    }

    [Fact]
    public void Test_mode_ends_at_success()
    {
        Assert.Equal([JobPhase.Succeeded], Phases(JobLifecycle.OnSucceeded(JobPhase.Running, StepKind.Run, testMode: true)));
        Assert.True(JobLifecycle.IsTerminal(JobPhase.Succeeded, testMode: true));
        Assert.False(JobLifecycle.IsTerminal(JobPhase.Succeeded, testMode: false));
    }

    [Fact]
    public void Packaging_leads_to_uploading_without_a_status_and_uploading_to_uploaded()
    {
        Assert.Equal(new Transition(JobPhase.Uploading, null), Assert.Single(JobLifecycle.OnSucceeded(JobPhase.Packaging, StepKind.Package, false)));
        Assert.Equal(new Transition(JobPhase.Uploaded, StatusTexts.Uploaded), Assert.Single(JobLifecycle.OnSucceeded(JobPhase.Uploading, StepKind.Upload, false)));
    }

    [Theory]
    [InlineData(JobPhase.Pending, StepKind.Run, false, JobPhase.Failed)]
    [InlineData(JobPhase.Running, StepKind.Run, false, JobPhase.Failed)]
    [InlineData(JobPhase.Running, StepKind.Run, true, JobPhase.TimedOut)]
    [InlineData(JobPhase.Pending, StepKind.Run, true, JobPhase.TimedOut)]
    [InlineData(JobPhase.Packaging, StepKind.Package, false, JobPhase.Failed)]
    [InlineData(JobPhase.Uploading, StepKind.Upload, false, JobPhase.Failed)]
    public void A_failed_step_ends_the_job_with_its_own_text(JobPhase phase, StepKind step, bool timedOut, JobPhase end)
    {
        Assert.Equal(new Transition(end, "the step's text", "detail"), JobLifecycle.OnFailed(phase, step, "the step's text", "detail", timedOut));
    }

    [Theory]
    [InlineData(JobPhase.Running, StepKind.Package)]
    [InlineData(JobPhase.Packaging, StepKind.Run)]
    [InlineData(JobPhase.Uploaded, StepKind.Upload)]
    [InlineData(JobPhase.Failed, StepKind.Run)]
    public void A_reply_of_a_step_the_phase_does_not_run_is_stale_and_changes_nothing(JobPhase phase, StepKind step)
    {
        Assert.Null(JobLifecycle.OnStarted(phase, step));
        Assert.Empty(JobLifecycle.OnSucceeded(phase, step, testMode: false));
        Assert.Null(JobLifecycle.OnFailed(phase, step, "x", "y"));
    }

    [Theory]
    [InlineData(JobPhase.Pending, JobPhase.TimedOut, StatusTexts.TimedOut)]
    [InlineData(JobPhase.Running, JobPhase.TimedOut, StatusTexts.TimedOut)]
    [InlineData(JobPhase.Packaging, JobPhase.Failed, StatusTexts.TarballError)]
    [InlineData(JobPhase.Uploading, JobPhase.Failed, StatusTexts.UploadError)]
    public void A_deadline_without_an_answer_ends_the_job_with_0_7_s_text(JobPhase phase, JobPhase end, string text)
    {
        var expired = JobLifecycle.OnDeadline(phase)!;
        Assert.Equal((end, text), (expired.To, expired.StatusText));
        Assert.NotEmpty(expired.Detail);
    }

    [Fact]
    public void Deadlines_come_from_the_timeouts_and_the_service_s_own_limit()
    {
        var t = JobTimeouts.Default;
        var spec = Execution.RunnerRequestTests.Spec(); // timout_mn from its service.json
        Assert.Equal(TimeSpan.FromMinutes(spec.Service.TimeoutMinutes) + t.RunGrace, t.Of(StepDeadline.RunLimit, spec));
        Assert.Equal(t.RunStart, t.Of(StepDeadline.RunStart, spec));
        Assert.Equal(t.Package, t.Of(StepDeadline.Package, spec));
        Assert.Equal(t.Upload, t.Of(StepDeadline.Upload, spec));
        Assert.Null(t.Of(StepDeadline.None, spec));
    }

    [Fact]
    public void Packaging_and_upload_deadlines_count_from_their_step_s_start_the_run_s_from_dispatch()
    {
        Assert.True(JobTimeouts.CountsFromStart(StepDeadline.Package));
        Assert.True(JobTimeouts.CountsFromStart(StepDeadline.Upload));
        Assert.False(JobTimeouts.CountsFromStart(StepDeadline.RunStart));
        Assert.False(JobTimeouts.CountsFromStart(StepDeadline.RunLimit));
    }

    [Fact]
    public void An_upload_s_deadline_grows_with_its_size_at_the_bandwidth_limit_plus_timeouts_and_the_retry_window()
    {
        var io = TimeSpan.FromSeconds(300);
        var retry = TimeSpan.FromSeconds(600);
        // 10 GiB at the assumed 1 MiB/s: twice 10240 s, plus 3 × 300 s, plus 600 s; longer than the old fixed 2 h.
        Assert.Equal(TimeSpan.FromSeconds(2 * 10240 + 900 + 600), JobTimeouts.ForUpload(10L << 30, null, io, retry));
        Assert.True(JobTimeouts.ForUpload(10L << 30, 512, io, retry) > JobTimeouts.ForUpload(10L << 30, null, io, retry));
        Assert.Equal(TimeSpan.FromSeconds(2 * 2 + 15), JobTimeouts.ForUpload(2L << 20, 1024, TimeSpan.FromSeconds(5), TimeSpan.Zero));
    }

    [Fact]
    public void A_resumed_job_moves_on_from_success_and_otherwise_picks_up_its_phase_s_step()
    {
        Assert.Equal([JobPhase.Packaging], Phases(JobLifecycle.OnResume(JobPhase.Succeeded, poisoned: false, 0)));
        foreach (var phase in new[] { JobPhase.Received, JobPhase.Pending, JobPhase.Running, JobPhase.Packaging, JobPhase.Uploading })
            Assert.Empty(JobLifecycle.OnResume(phase, poisoned: false, JobLifecycle.MaxCrashResumes - 1));
    }

    [Fact]
    public void A_poisoned_request_or_a_job_that_keeps_crashing_the_daemon_is_refused_in_any_phase()
    {
        foreach (var phase in JobLifecycle.Table.Where(r => !r.Terminal).Select(r => r.Phase))
        {
            var poisoned = Assert.Single(JobLifecycle.OnResume(phase, poisoned: true, 0));
            Assert.Equal(JobPhase.Failed, poisoned.To);
            Assert.Contains("refused and kept for inspection", poisoned.StatusText);
            var looping = Assert.Single(JobLifecycle.OnResume(phase, poisoned: false, JobLifecycle.MaxCrashResumes));
            Assert.StartsWith("Job stopped with error message : 'Terminus stopped 3 times while handling this job", looping.StatusText);
            Assert.True(JobLifecycle.CanMove(phase, looping.To));
        }
    }

    [Fact]
    public void Nothing_leaves_a_terminal_phase_and_nothing_goes_back_to_pending()
    {
        foreach (var terminal in new[] { JobPhase.Uploaded, JobPhase.Failed, JobPhase.TimedOut })
            foreach (var next in Enum.GetValues<JobPhase>())
                Assert.False(JobLifecycle.CanMove(terminal, next));
        foreach (var from in Enum.GetValues<JobPhase>().Where(p => p != JobPhase.Received))
            Assert.False(JobLifecycle.CanMove(from, JobPhase.Pending));
    }

    [Theory]
    [InlineData("success", true, true)]
    [InlineData("success", false, false)]
    [InlineData("uploaded", false, true)]
    [InlineData("failed", false, true)]
    [InlineData("timed_out", true, true)]
    [InlineData("running", false, false)]
    [InlineData("pending", true, false)]
    public void Terminal_statuses(string status, bool testMode, bool terminal) =>
        Assert.Equal(terminal, JobLifecycle.IsTerminalStatus(status, testMode));

    [Fact]
    public void Status_texts_are_those_of_terminus_0_7()
    {
        Assert.Equal("Post-processing service 'x' is not available.", StatusTexts.ServiceNotAvailable("x"));
        Assert.Equal("Raw simulation data directory 'a/b/c' not found.", StatusTexts.DataDirectoryNotFound("a/b/c"));
        Assert.Equal("Service configuration 'service.json' format not correct .", StatusTexts.ServiceInfoError);
        Assert.Equal("Job stopped with error message : 'boom'.", StatusTexts.StoppedWithError("boom"));
        Assert.Equal("Job successfully submitted (pending execution)", StatusTexts.Submitted);
    }
}
