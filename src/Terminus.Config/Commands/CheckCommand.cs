using System.Diagnostics;
using Terminus.Config.Cli;
using Terminus.Core.Configuration;
using Terminus.Core.Containment;
using Terminus.Core.Execution;
using Terminus.Core.Operator;
using Terminus.Core.Services;
using Terminus.Infrastructure.Containment;
using Terminus.Infrastructure.Storage;
using Terminus.Infrastructure.Ledger;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Sandbox;
using Terminus.Core;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus check</c>: everything the daemon needs, one line per item: the configuration, the data, job and
/// service directories, the containment of jobs (cgroup or process-tree fallback, default limits), their sandbox
/// (bwrap tried for real: what a job sees, or why there is none), each service
/// (<c>service.json</c>, its interpreter, a <c>run</c> that takes <c>test</c>),
/// the SSH alias (a batch-mode connection), the broker (login, the portal's queues), SLURM when enabled, the
/// ledger. Ends with a verdict; exit 1 on any failure.
/// </summary>
public sealed class CheckCommand(CommandIo io)
{
    private int _failures, _warnings;

    /// <summary>Imports a service like the runner does and says whether its run() accepts test (Python 2.7 and 3.x).</summary>
    private const string InspectRun = """
        import sys, inspect
        sys.dont_write_bytecode = True
        path = sys.argv[1]
        sys.path.insert(0, __import__('os').path.dirname(path))
        try:
            import importlib.util as u
            spec = u.spec_from_file_location('terminus_check', path)
            m = u.module_from_spec(spec)
            spec.loader.exec_module(m)
        except (ImportError, AttributeError):
            import imp
            m = imp.load_source('terminus_check', path)
        f = getattr(m, 'run', None)
        if not callable(f):
            print('it has no run() function'); sys.exit(3)
        try:
            s = inspect.getfullargspec(f); args, kw = s.args, s.varkw
        except AttributeError:
            s = inspect.getargspec(f); args, kw = s.args, s.keywords
        if 'test' not in args and not kw:
            print('run() does not accept the test argument'); sys.exit(3)
        print('run(%s)' % ', '.join(args + (['**' + kw] if kw else [])))
        """;

    public async Task<int> RunAsync(bool skipSsh, bool skipBroker)
    {

        var loaded = SettingsLoader.Load(io.Environment, io.Home);
        foreach (var error in loaded.Errors) Fail("configuration", error);
        if (loaded.Settings is not { } s)
        {
            io.Out.WriteLine($"\n{_failures} problem(s): fix the configuration (terminus config) and check again.");
            return 1;
        }
        Ok("configuration", $"host '{s.HostName}', queues {s.JobQueue} and {s.MonitorQueue}, {s.MaxConcurrentJobs} jobs at once, jobs run {(s.UseSlurm ? "through SLURM" : "locally")}");

        var categories = Directory.EnumerateDirectories(s.DataDir).Count();
        Ok("data directory", $"{s.DataDir} ({categories} project categor{(categories == 1 ? "y" : "ies")})");
        CheckJobDir(s);
        CheckContainment(s);
        await CheckSandboxAsync(s);
        await CheckServicesAsync(s);
        if (!skipSsh) await CheckSshAsync(s.StorageSshAlias);
        if (!skipBroker) await CheckBrokerAsync();
        if (s.UseSlurm) await CheckSlurmAsync();
        CheckLedger(s);
        await CheckRunningDaemonAsync(s);

        io.Out.WriteLine(_failures == 0
            ? $"\nAll checks passed{(_warnings > 0 ? $" ({_warnings} warning(s))" : "")}."
            : $"\n{_failures} problem(s){(_warnings > 0 ? $" and {_warnings} warning(s)" : "")}: see the lines marked FAIL.");
        return _failures == 0 ? 0 : 1;
    }

    private void Ok(string what, string detail) => io.Out.WriteLine(CheckLine.Format(CheckVerdict.Ok, what, detail));
    private void Fail(string what, string detail) { _failures++; io.Out.WriteLine(CheckLine.Format(CheckVerdict.Fail, what, detail)); }
    private void Warn(string what, string detail) { _warnings++; io.Out.WriteLine(CheckLine.Format(CheckVerdict.Warn, what, detail)); }

    private void Report(CheckVerdict verdict, string what, string detail)
    {
        switch (verdict)
        {
            case CheckVerdict.Ok: Ok(what, detail); break;
            case CheckVerdict.Warn: Warn(what, detail); break;
            default: Fail(what, detail); break;
        }
    }

    /// <summary>The containment the daemon would use, detected as it would (same instance key), without creating anything.</summary>
    private void CheckContainment(TerminusSettings s)
    {
        var e = s.Execution;
        var probe = e.Containment == ContainmentMode.Subreaper ? null : CgroupHost.Probe(CgroupNames.InstanceKey(s.JobDir));
        var decision = ContainmentDecision.Decide(e.Containment, probe?.IsUsable ?? false, probe?.Description ?? "");
        var limits = new JobLimits(e.JobMemoryMb, e.JobMaxTasks);
        var unenforced = new List<string>();
        if (limits.MemoryMb is not null && probe is { CanLimitMemory: false }) unenforced.Add("memory");
        if (limits.MaxTasks is not null && probe is { CanLimitTasks: false }) unenforced.Add("tasks");
        var limitsText = $"default job limits: {limits}"
            + (decision.Choice != ContainmentChoice.Cgroup || unenforced.Count == 0 ? "" : $" (not enforced here: {string.Join(", ", unenforced)})");
        Report(decision.Verdict, "containment", $"{decision.Detail}; {limitsText}{(s.UseSlurm ? "; jobs run through SLURM, which contains them itself" : "")}");
    }

    /// <summary>The sandbox the daemon would use, detected as it would (bwrap run for real, on the PATH given to this command).</summary>
    private async Task CheckSandboxAsync(TerminusSettings s)
    {
        var d = (await SandboxDetection.RunAsync(s, io.Environment.GetValueOrDefault("PATH"))).Decision;
        Report(d.Verdict, "sandbox", d.Detail);
    }

    private void CheckJobDir(TerminusSettings s)
    {
        try
        {
            var probe = Path.Combine(s.JobDir, $".terminus-check-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            var space = FileSystems.SpaceOf(s.JobDir);
            // The daemon's own admission check, so that check fails exactly when the daemon would take no job.
            if (HostHealth.Problem(s.JobDir, space, s.Execution.MinFreeBytes, s.ServiceDir, FileSystems.ListingError(s.ServiceDir)) is { } problem)
                Fail("job directory", $"{s.JobDir} writable, but the daemon takes no job now: {problem}");
            else Ok("job directory", $"{s.JobDir} writable, {space!.FreeBytes / (1024 * 1024 * 1024.0):0.#} GiB free");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Fail("job directory", $"{s.JobDir} is not writable: {e.Message}"); }
    }

    private async Task CheckServicesAsync(TerminusSettings s)
    {
        var catalog = new ServiceCatalog(s.ServiceDir);
        var names = Directory.EnumerateDirectories(s.ServiceDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) { Warn("services", $"{s.ServiceDir} holds no service yet (terminus service new <name>)"); return; }
        foreach (var name in names)
        {
            switch (catalog.Find(name))
            {
                case ServiceUnusable u:
                    Fail($"service {name}", u.Detail.Length > 0 ? $"{u.StatusText} ({u.Detail})" : u.StatusText);
                    break;
                case ServiceFound { Service: var svc } when svc.Type == ServiceType.Bash:
                    if (!File.Exists(s.Execution.RunnerPython)) Fail($"service {name}", $"bash services need a Python for the runner: {s.Execution.RunnerPython} does not exist (TERMINUS_RUNNER_PYTHON)");
                    else Ok($"service {name}", $"bash, {svc.Interpreter} {Path.GetFileName(svc.ScriptPath)}, {svc.Cores} core(s), {svc.TimeoutMinutes} min");
                    break;
                case ServiceFound { Service: var svc }:
                    var result = await RunAsync(svc.Interpreter, ["-c", InspectRun, svc.ScriptPath], TimeSpan.FromSeconds(60));
                    var said = (result.Output.Trim().Split('\n').LastOrDefault() ?? "").Trim();
                    if (result.ExitCode == 0) Ok($"service {name}", $"python, {svc.Interpreter}, {said}, {svc.Nodes} node(s) × {svc.Cores} core(s), {svc.TimeoutMinutes} min");
                    else Fail($"service {name}", result.ExitCode == 3 ? said : $"{svc.Interpreter} cannot import {Path.GetFileName(svc.ScriptPath)}: {said}");
                    break;
            }
        }
    }

    private async Task CheckSshAsync(string alias)
    {
        var sw = Stopwatch.StartNew();
        var r = await RunAsync("ssh", ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", alias, "true"], TimeSpan.FromSeconds(30));
        if (r.ExitCode == 0) Ok("storage", $"ssh {alias} works (batch mode, {sw.Elapsed.TotalSeconds:0.0} s): uploads can go to '{alias}:'");
        else Fail("storage", $"ssh -o BatchMode=yes {alias} failed ({r.ExitCode}): {r.Output.Trim().Split('\n').LastOrDefault()} (check ~/.ssh/config, the key and the host key)");
    }

    /// <summary>The daemon's binary checks the broker (<c>--check-broker</c>), with the daemon's own connection code; its lines are shown as they come.</summary>
    private async Task CheckBrokerAsync()
    {
        if (DaemonBinary.Locate(io.Environment) is not { } daemon)
        {
            Fail("broker", "not checked: the daemon (terminus-daemon) was found neither beside this command nor on PATH (set TERMINUS_DAEMON)");
            return;
        }
        var environment = io.Environment.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
        environment["HOME"] = io.Home;
        var r = await BoundedProcess.RunAsync(daemon.Program, [.. daemon.Arguments, "--check-broker"], TimeSpan.FromSeconds(90), environment: environment);
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shown = 0;
        foreach (var line in lines)
        {
            switch (CheckLine.VerdictOf(line))
            {
                case null: continue;
                case CheckVerdict.Fail: _failures++; break;
                case CheckVerdict.Warn: _warnings++; break;
            }
            io.Out.WriteLine(line);
            shown++;
        }
        if (shown == 0)
            Fail("broker", $"the check could not run ({string.Join(" ", [daemon.Program, .. daemon.Arguments])} exited {r.ExitCode}): {(r.StdErr + r.StdOut).Trim().Split('\n').LastOrDefault()}");
    }

    private async Task CheckSlurmAsync()
    {
        var r = await RunAsync("sinfo", ["-h", "-o", "%P %a %D %C"], TimeSpan.FromSeconds(30));
        if (r.ExitCode == 0) Ok("SLURM", $"sinfo answers: {string.Join("; ", r.Output.Trim().Split('\n'))}");
        else Fail("SLURM", $"sinfo failed ({r.ExitCode}): {r.Output.Trim()}");
    }

    private void CheckLedger(TerminusSettings s)
    {
        try
        {
            var jobs = LedgerReader.Read(s.LedgerPath);
            var dir = s.LedgerDir;
            var space = FileSystems.SpaceOf(ExistingAncestor(dir)); // before the first start: where it will be created
            // The daemon's own watch: below this it takes no job, and a full file system fails its writes.
            if (HostHealth.LedgerProblem(dir, space, s.Execution.MinFreeBytes) is { } problem) Fail("ledger", $"{s.LedgerPath}: the daemon takes no job now: {problem}");
            else Ok("ledger", (File.Exists(s.LedgerPath) ? $"{s.LedgerPath}: {jobs.Count(j => j.Live)} unfinished job(s)" : $"{s.LedgerPath} (created at the first start)")
                + $", {space!.FreeBytes / (1024 * 1024.0):0} MiB free");
        }
        catch (Exception e) { Fail("ledger", $"{s.LedgerPath}: {e.Message}"); }
    }

    /// <summary>The running daemon, as its own metrics tell it (TERMINUS_METRICS): consuming, connected, statuses, ledger.</summary>
    private async Task CheckRunningDaemonAsync(TerminusSettings s)
    {
        if (s.Telemetry.MetricsListen is not { } listen)
        {
            Warn("daemon", "not asked: TERMINUS_METRICS is off, so the running daemon cannot be asked how it is");
            return;
        }
        string exposition;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            exposition = await http.GetStringAsync(listen.LocalUrl);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Warn("daemon", $"not running, or not answering on {listen.LocalUrl} ({e.GetBaseException().Message})");
            return;
        }
        foreach (var (verdict, what, detail) in DaemonHealth.Lines(MetricSample.Parse(exposition))) Report(verdict, what, detail);
    }

    private static string ExistingAncestor(string dir)
    {
        while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
        return dir;
    }

    /// <summary>A check's command, bounded in time; its stdout and stderr as one text.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var r = await BoundedProcess.RunAsync(file, args, timeout);
        return (r.ExitCode, r.StdOut + r.StdErr);
    }
}
