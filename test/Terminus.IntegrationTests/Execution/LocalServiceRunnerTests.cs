using System.Diagnostics;
using System.Text.Json;
using Terminus.Actors.Execution;
using Terminus.Actors.Steps;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Processes;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests.Execution;

/// <summary>Real services run by the real runner (Python 3, Python 2.7 and bash), in real process groups, inside the sandbox.</summary>
public sealed class LocalServiceRunnerTests(ITestOutputHelper output) : IDisposable
{
    private readonly ExecutionSite _site = new();

    public void Dispose() => _site.Dispose();

    private async Task<(StepOutcome Outcome, int Started, JobPaths Paths)> Run(JobSpec spec, TimeSpan? limit = null,
        ExecutionSettings? execution = null, CancellationToken cancel = default)
    {
        var runner = _site.Runner(execution, limit);
        var started = 0;
        var sw = Stopwatch.StartNew();
        var outcome = await runner.ExecuteAsync(ExecutionSite.Step(StepKind.Run, spec),
                new StepControl(_ => Interlocked.Increment(ref started), CancellationToken.None, cancel))
            .WaitAsync(TimeSpan.FromSeconds(90));
        var paths = _site.Paths(spec);
        output.WriteLine($"{spec.ServiceName}: {outcome} in {sw.ElapsedMilliseconds} ms");
        if (File.Exists(paths.StderrFile)) output.WriteLine("stderr: " + File.ReadAllText(paths.StderrFile));
        return (outcome, started, paths);
    }

    private const string Echo = """
        import json, os, sys
        def run(data_path, data_ref, test=False, **kw):
            with open("out/seen.json", "w") as fh:
                json.dump({"data_path": data_path, "data_ref": data_ref, "test": test, "kw": kw, "cwd": os.getcwd(),
                           "env": dict(os.environ), "python": sys.version_info[0], "argv": sys.argv}, fh)
        """;

    [Theory]
    [InlineData("python3")]
    [InlineData("python2.7")]
    public async Task A_python_service_runs_with_the_0_7_contract_and_leaves_0_7_s_files_in_out(string python)
    {
        var interpreter = python == "python3" ? ExecutionSite.Python3 : ExecutionSite.Python2;
        Assert.True(File.Exists(interpreter), $"{interpreter} is needed: services may be written for Python 2.7");
        _site.AddService("density_map", Echo, interpreter: interpreter);
        var spec = _site.Spec("density_map", """{"xcenter": 0.5, "size": [0.1, "kpc"], "label": "é"}""");

        var (outcome, started, paths) = await Run(spec);

        Assert.IsType<StepOutcome.Succeeded>(outcome);
        Assert.Equal(1, started);
        using var seen = JsonDocument.Parse(File.ReadAllText(Path.Combine(paths.OutDir, "seen.json")));
        var s = seen.RootElement;
        Assert.Equal(python == "python3" ? 3 : 2, s.GetProperty("python").GetInt32());
        Assert.Equal(_site.SimulationDir, s.GetProperty("data_path").GetString());
        Assert.Equal("output_00003", s.GetProperty("data_ref").GetString());
        Assert.False(s.GetProperty("test").GetBoolean());
        Assert.Equal(0.5, s.GetProperty("kw").GetProperty("xcenter").GetDouble());
        Assert.Equal(paths.JobDir, s.GetProperty("cwd").GetString());
        var env = s.GetProperty("env").EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain(env, n => n.StartsWith("TERMINUS_IT_") || n.StartsWith("RABBITMQ") || n.StartsWith("DOTNET") || n == "AMQP_URI");

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(paths.OutDir, "processing_config.json")));
        var c = config.RootElement;
        Assert.Equal("density_map", c.GetProperty("service_name").GetString());
        Assert.Equal("ithost", c.GetProperty("host").GetString());
        Assert.Equal("GAL_FORMATION/TEST_GALAXY/SIMU_1", c.GetProperty("data").GetProperty("data_path").GetString());
        Assert.Equal("output_00003", c.GetProperty("data").GetProperty("data_reference").GetString());
        Assert.False(c.GetProperty("run_parameters").GetProperty("test").GetBoolean());
        Assert.True(c.GetProperty("time_info").TryGetProperty("job_finished", out _));
        var jobLog = File.ReadAllText(Path.Combine(paths.OutDir, "job.log"));
        Assert.Contains("executed successfully", jobLog);
        foreach (var shipped in new[] { jobLog, config.RootElement.GetRawText() })
            Assert.DoesNotContain(_site.Root, shipped); // the server's paths never reach the user
    }

    [Theory]
    [InlineData("python3", "import logging\nlog = logging.getLogger('job')\n")]
    [InlineData("python2.7", "import logging\nlog = logging.getLogger('job')\n")]
    [InlineData("python3", "from helper import log\n")] // the service's own module imports logging, not the service
    public async Task A_service_logging_through_0_7_s_job_logger_writes_into_job_log_beside_the_runner_s_lines(string python, string header)
    {
        var interpreter = python == "python3" ? ExecutionSite.Python3 : ExecutionSite.Python2;
        _site.AddService("logs", "# -*- coding: utf-8 -*-\n" + header + "def run(data_path, data_ref, test=False, **kw):\n    log.info('half way, é')\n    log.warning('careful')\n",
            interpreter: interpreter);
        File.WriteAllText(Path.Combine(_site.ServiceDir, "logs", "helper.py"), "import logging\nlog = logging.getLogger('job')\n");

        var (outcome, _, paths) = await Run(_site.Spec("logs"));

        Assert.IsType<StepOutcome.Succeeded>(outcome);
        var lines = File.ReadAllLines(Path.Combine(paths.OutDir, "job.log"));
        foreach (var line in lines) output.WriteLine(line);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - Job .* started", lines[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - half way, é$", lines[1]);
        Assert.EndsWith(" - WARNING - careful", lines[2]);
        Assert.EndsWith("executed successfully.", lines[3]);
    }

    [Fact]
    public async Task A_python_process_the_service_forked_and_left_running_is_stopped_without_speaking_for_the_job()
    {
        // The fork inherits the service process's SIGTERM handler; stopped as a leftover, it must not report "timed out".
        _site.AddService("forker", "import os, time\ndef run(data_path, data_ref, test=False, **kw):\n    if os.fork() == 0:\n        time.sleep(1000)\n        os._exit(0)\n");
        var (outcome, _, paths) = await Run(_site.Spec("forker"));
        Assert.IsType<StepOutcome.Succeeded>(outcome);
        Assert.DoesNotContain("timed out", File.ReadAllText(paths.StatusFile));
    }

    [Theory]
    [InlineData("my-service")]
    [InlineData("3d_cube")]
    public async Task A_service_whose_name_is_not_a_python_identifier_runs(string name)
    {
        _site.AddService(name, "def run(data_path, data_ref, test=False, **kw):\n    open('out/ok', 'w').close()\n");
        var (outcome, _, paths) = await Run(_site.Spec(name));
        Assert.IsType<StepOutcome.Succeeded>(outcome);
        Assert.True(File.Exists(Path.Combine(paths.OutDir, "ok")));
    }

    [Fact]
    public async Task A_service_exception_fails_the_job_with_its_message_without_the_server_path()
    {
        _site.AddService("boom", "import os\ndef run(data_path, data_ref, test=False, **kw):\n    raise IOError('cannot open ' + os.path.join(data_path, data_ref, 'x.dat'))\n");
        var (outcome, started, _) = await Run(_site.Spec("boom"));
        var failed = Assert.IsType<StepOutcome.Failed>(outcome);
        Assert.Equal("Job stopped with error message : 'cannot open GAL_FORMATION/TEST_GALAXY/SIMU_1/output_00003/x.dat'.", failed.StatusText);
        Assert.Equal(1, started);
    }

    [Theory]
    [InlineData("import sys\ndef run(data_path, data_ref, test=False, **kw):\n    sys.exit(3)\n", "the service called sys.exit(3)")]
    [InlineData("import os\ndef run(data_path, data_ref, test=False, **kw):\n    os.kill(os.getpid(), 9)\n", "the service process was killed by SIGKILL (perhaps it ran out of memory)")]
    [InlineData("import os\ndef run(data_path, data_ref, test=False, **kw):\n    os._exit(0)\n", "the service process ended without reporting a result")]
    [InlineData("def run(data_path, data_ref):\n    pass\n", "run() got an unexpected keyword argument 'test'")]
    [InlineData("def run(:\n", "cannot load the service: invalid syntax")]
    [InlineData("x = 1\n", "cannot load the service: the service has no run() function")]
    public async Task Every_way_a_service_can_end_badly_is_a_failed_status_with_a_useful_message(string script, string message)
    {
        _site.AddService("bad", script);
        var failed = Assert.IsType<StepOutcome.Failed>((await Run(_site.Spec("bad"))).Outcome);
        Assert.StartsWith($"Job stopped with error message : '{message}", failed.StatusText);
    }

    [Fact]
    public async Task A_chatty_service_that_prints_megabytes_completes_and_its_output_is_in_files()
    {
        _site.AddService("chatty", "import sys\ndef run(data_path, data_ref, test=False, **kw):\n" +
            "    for i in range(16384):\n        sys.stdout.write('x' * 127 + '\\n')\n        sys.stderr.write('e' * 63 + '\\n')\n");
        var (outcome, _, paths) = await Run(_site.Spec("chatty"));
        Assert.IsType<StepOutcome.Succeeded>(outcome);
        Assert.True(new FileInfo(paths.StdoutFile).Length >= 2 * 1024 * 1024);
        Assert.True(new FileInfo(paths.StderrFile).Length >= 1024 * 1024);
    }

    [Fact]
    public async Task A_service_over_its_time_limit_is_killed_with_its_whole_process_group()
    {
        var pidFile = Path.Combine(_site.Root, "grandchild.pid");
        // A grandchild that ignores SIGTERM and a service that loops forever: both must go.
        _site.AddService("forever", $$"""
            import subprocess, time
            def run(data_path, data_ref, test=False, **kw):
                p = subprocess.Popen(["/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done"])
                open("{{pidFile}}", "w").write(str(p.pid))
                while True:
                    time.sleep(0.2)
            """);
        var sw = Stopwatch.StartNew();
        var (outcome, _, paths) = await Run(_site.Spec("forever"), limit: TimeSpan.FromSeconds(2),
            execution: ExecutionSettings.Default with { KillGrace = TimeSpan.FromSeconds(1) });
        var t = Assert.IsType<StepOutcome.TimedOut>(outcome);
        output.WriteLine($"{t.Detail} after {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(sw.Elapsed.TotalSeconds, 2, 15);
        var grandchild = int.Parse(File.ReadAllText(pidFile));
        await WaitGone(grandchild);
        Assert.Contains("timed out", File.ReadAllText(paths.StatusFile));
    }

    [Fact]
    public async Task Processes_a_finished_service_left_behind_are_stopped()
    {
        var pidFile = Path.Combine(_site.Root, "orphan.pid");
        _site.AddService("leaky", $$"""
            import subprocess
            def run(data_path, data_ref, test=False, **kw):
                p = subprocess.Popen(["/bin/sleep", "300"])
                open("{{pidFile}}", "w").write(str(p.pid))
            """);
        Assert.IsType<StepOutcome.Succeeded>((await Run(_site.Spec("leaky"))).Outcome);
        await WaitGone(int.Parse(File.ReadAllText(pidFile)));
    }

    [Fact]
    public async Task When_the_daemon_stops_the_service_keeps_running()
    {
        var pidFile = Path.Combine(_site.Root, "service.pid");
        _site.AddService("long", $$"""
            import os, time
            def run(data_path, data_ref, test=False, **kw):
                open("{{pidFile}}", "w").write(str(os.getpid()))
                time.sleep(300)
            """);
        using var stop = new CancellationTokenSource();
        var runner = _site.Runner();
        var spec = _site.Spec("long");
        var running = new TaskCompletionSource();
        var run = runner.ExecuteAsync(ExecutionSite.Step(StepKind.Run, spec), new StepControl(_ => running.TrySetResult(), CancellationToken.None, stop.Token));
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        // The runner says "started" once the service's process exists; the pid file comes when run() gets to it.
        var pid = await Eventually.ValueAsync(() => File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out var p) ? p : (int?)null,
            "the service writes its pid");
        try
        {
            Assert.True(ProcessTable.IsAlive(pid, null), "the service must outlive the daemon");
            var record = Terminus.Core.Execution.RunnerRecords.ParseRunner(File.ReadAllText(_site.Paths(spec).RunnerRecordFile))!;
            // A process group of its own, away from the daemon's, led by what the launcher started: the runner, or bwrap
            // around it (the sandbox's parent process, in the runner's session).
            Assert.NotEqual(ProcessTable.Read(Environment.ProcessId)!.Value.ProcessGroup, record.ProcessGroup);
            Assert.True(record.ProcessGroup == record.Pid || ProcessTable.Read(record.Pid)!.Value.ParentPid == record.ProcessGroup,
                $"runner {record.Pid}, group {record.ProcessGroup}");
        }
        finally
        {
            var record = Terminus.Core.Execution.RunnerRecords.ParseRunner(File.ReadAllText(_site.Paths(spec).RunnerRecordFile))!;
            Signals.KillTree(record.Pid);
        }
    }

    [Fact]
    public async Task A_stopped_run_ends_the_service_and_what_it_detached_before_it_returns()
    {
        var pidFile = Path.Combine(_site.Root, "detached.pid");
        _site.AddService("stoppable", $$"""
            import subprocess, sys, time
            def run(data_path, data_ref, test=False, **kw):
                p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True)
                open("{{pidFile}}", "w").write(str(p.pid))
                time.sleep(300)
            """);
        using var stop = new CancellationTokenSource();
        var runner = _site.Runner();
        var running = new TaskCompletionSource();
        var run = runner.ExecuteAsync(ExecutionSite.Step(StepKind.Run, _site.Spec("stoppable")),
            new StepControl(_ => running.TrySetResult(), stop.Token, CancellationToken.None));
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var detached = await Eventually.ValueAsync(() => File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out var p) ? p : (int?)null,
            "the service detaches a process");
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(ProcessTable.IsAlive(detached, null), "the detached process outlived the stopped run");
    }

    [Fact]
    public async Task A_bash_service_gets_its_arguments_safely_and_its_failure_message_from_stderr()
    {
        _site.AddService("hello", """
            echo "args: $1 | $2 | test=$TERMINUS_TEST" > out/hello.txt
            cat "$TERMINUS_PARAMS_FILE" >> out/hello.txt
            [ "$(python3 -c 'import json,os; print(json.load(open(os.environ["TERMINUS_PARAMS_FILE"]))["mode"])')" = fail ] && { echo "no such snapshot: $2" >&2; exit 4; }
            exit 0
            """, type: "bash", interpreter: "/bin/bash");
        var injection = "$(touch /tmp/terminus-pwned)`id`";
        var (ok, _, paths) = await Run(_site.Spec("hello", $$"""{"mode": "ok", "note": {{JsonSerializer.Serialize(injection)}}}""", test: true));
        Assert.IsType<StepOutcome.Succeeded>(ok);
        var hello = File.ReadAllText(Path.Combine(paths.OutDir, "hello.txt"));
        Assert.Contains($"args: {_site.SimulationDir} | output_00003 | test=1", hello);
        Assert.Contains(injection.Replace("`", "`"), hello);
        Assert.False(File.Exists("/tmp/terminus-pwned"));
        Assert.True(File.Exists(Path.Combine(paths.OutDir, "processing_config.json")));

        var (bad, _, _) = await Run(_site.Spec("hello", """{"mode": "fail"}"""));
        Assert.Equal("Job stopped with error message : 'hello.sh exited with code 4: no such snapshot: output_00003'.",
            Assert.IsType<StepOutcome.Failed>(bad).StatusText);
    }

    [Fact]
    public async Task An_earlier_directory_of_the_same_job_is_moved_aside_not_deleted()
    {
        _site.AddService("svc", "def run(data_path, data_ref, test=False, **kw):\n    pass\n");
        var spec = _site.Spec("svc");
        var paths = _site.Paths(spec);
        Directory.CreateDirectory(paths.OutDir);
        File.WriteAllText(Path.Combine(paths.OutDir, "old-result"), "keep me");

        Assert.IsType<StepOutcome.Succeeded>((await Run(spec)).Outcome);

        Assert.False(File.Exists(Path.Combine(paths.OutDir, "old-result")));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(paths.FailedDir, "out", "old-result")));
    }

    private static async Task WaitGone(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ProcessTable.IsAlive(pid, null) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(ProcessTable.IsAlive(pid, null), $"process {pid} is still running");
    }
}
