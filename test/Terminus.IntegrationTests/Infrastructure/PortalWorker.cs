using System.Diagnostics;
using System.Text.Json;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>One task the portal's Celery worker executed: what Terminus published, as Celery decoded it.</summary>
public sealed record PortalTask(string Task, JsonElement[] Args, string Id, string? ParentId, string? RootId, JsonElement Headers, double ReceivedAt)
{
    public long? JobId => Task == "update_terminus_job_status" && Args.Length > 0 && Args[0].ValueKind == JsonValueKind.Number ? Args[0].GetInt64() : null;
    public string? Status => Task == "update_terminus_job_status" && Args.Length > 1 ? Args[1].GetString() : null;
    public string? Message => Task == "update_terminus_job_status" && Args.Length > 2 ? Args[2].GetString() : null;
    public string? Host => Task == "update_server_online" && Args.Length > 0 ? Args[0].GetString() : null;
    /// <summary>The ledger's number for the status (<c>x-terminus-seq</c>): a copy carries the same one.</summary>
    public long Sequence => Headers.GetProperty("x-terminus-seq").GetInt64();
}

/// <summary>
/// The portal's receiving side: a real Celery 5 worker running <c>update_terminus_job_status</c> and
/// <c>update_server_online</c>, started once for all integration tests and stopped by its PID.
/// </summary>
public sealed class PortalWorker : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-portal-").FullName;
    private Process? _process;

    private string OutFile => Path.Combine(_dir, "tasks.jsonl");
    private string ReadyFile => Path.Combine(_dir, "ready");

    public async Task InitializeAsync()
    {
        var psi = new ProcessStartInfo(ItEnvironment.Python)
        {
            ArgumentList = { ItEnvironment.Harness, "worker", "--out", OutFile, "--ready", ReadyFile },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["AMQP_URI"] = ItEnvironment.AmqpUri;
        _process = Process.Start(psi)!;
        var log = Path.Combine(_dir, "worker.log");
        _ = PumpAsync(_process.StandardOutput, log);
        _ = PumpAsync(_process.StandardError, log);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(ReadyFile))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the Celery worker exited ({_process.ExitCode}): {await SafeRead(log)}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the Celery worker was not ready within 60 s: {await SafeRead(log)}");
            await Task.Delay(100);
        }
    }

    private static async Task PumpAsync(StreamReader reader, string file)
    {
        while (await reader.ReadLineAsync() is { } line)
            lock (reader.BaseStream) File.AppendAllText(file, line + "\n");
    }

    /// <summary>The end of the Celery worker's own log (for a failing test's message).</summary>
    public string LogTail(int lines = 20)
    {
        var log = Path.Combine(_dir, "worker.log");
        try { return File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(lines)) : ""; }
        catch (IOException e) { return e.Message; }
    }

    private static async Task<string> SafeRead(string file) => File.Exists(file) ? await File.ReadAllTextAsync(file) : "";

    public IReadOnlyList<PortalTask> Tasks()
    {
        if (!File.Exists(OutFile)) return [];
        using var stream = new FileStream(OutFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var tasks = new List<PortalTask>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || !line.EndsWith('}')) continue; // a line still being written
            var e = JsonDocument.Parse(line).RootElement;
            tasks.Add(new PortalTask(e.GetProperty("task").GetString()!, e.GetProperty("args").EnumerateArray().Select(a => a.Clone()).ToArray(),
                e.GetProperty("id").GetString()!, Str(e, "parent_id"), Str(e, "root_id"),
                e.TryGetProperty("headers", out var h) ? h.Clone() : default, e.GetProperty("received_at").GetDouble()));
        }
        return tasks;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public IReadOnlyList<PortalTask> StatusesOf(long jobId) => Tasks().Where(t => t.JobId == jobId).ToList();

    /// <summary>Waits until <paramref name="done"/> holds for the job's statuses, then returns them.</summary>
    public async Task<IReadOnlyList<PortalTask>> WaitForStatusesAsync(long jobId, Func<IReadOnlyList<PortalTask>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var statuses = StatusesOf(jobId);
            if (done(statuses)) return statuses;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job {jobId}: statuses after {timeout.TotalSeconds} s: [{string.Join(", ", statuses.Select(s => $"{s.Status}: {s.Message}"))}]");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits for the job's terminal status and one more second (anything sent after it would show up), then returns
    /// the portal's view: copies (same <c>x-terminus-seq</c>, which must say the same) dropped, in sequence order.
    /// </summary>
    /// <param name="testMode">The job was sent with <c>test: true</c> (its success is terminal: nothing is uploaded).</param>
    public async Task<IReadOnlyList<PortalTask>> TerminalStatusesAsync(long jobId, TimeSpan timeout, Xunit.Abstractions.ITestOutputHelper output,
        bool testMode = false)
    {
        await WaitForStatusesAsync(jobId, s => s.Any(t => Core.Jobs.JobLifecycle.IsTerminalStatus(t.Status!, testMode)), timeout);
        await Task.Delay(1000);
        var all = StatusesOf(jobId);
        output.WriteLine($"job {jobId}: {string.Join(" | ", all.Select(s => $"{s.Status}#{s.Sequence}: {s.Message}"))}");
        return WithoutCopies(all);
    }

    /// <summary>The statuses with copies (same <c>x-terminus-seq</c>) dropped, as the portal is told to do; copies must be identical.</summary>
    public static IReadOnlyList<PortalTask> WithoutCopies(IReadOnlyList<PortalTask> statuses)
    {
        var bySequence = statuses.GroupBy(s => s.Sequence).OrderBy(g => g.Key).ToList();
        foreach (var copies in bySequence) Assert.Single(copies.Select(c => (c.Status, c.Message)).Distinct());
        return bySequence.Select(g => g.First()).ToList();
    }

    /// <summary>The <c>update_server_online</c> that answered the probe <paramref name="probe"/> (its parent task).</summary>
    public async Task<PortalTask> WaitForOnlineAsync(string host, (string TaskId, double SentAt) probe, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var reply = Tasks().FirstOrDefault(t => t.Host == host && t.ParentId == probe.TaskId);
            if (reply is not null) return reply;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no update_server_online({host}) within {timeout.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            ProcessRunner.Signal(p.Id, ProcessRunner.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await p.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { p.Kill(entireProcessTree: true); }
        }
        _process?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalWorker>
{
    public const string Name = "portal";
}
