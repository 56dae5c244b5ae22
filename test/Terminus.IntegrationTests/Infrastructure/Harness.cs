using System.Text.Json;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>The portal, played by the real Celery (Debian python3-celery) through test/harness/galactica_portal.py.</summary>
internal static class Harness
{
    public static async Task<string> RunAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync(ItEnvironment.Python, [ItEnvironment.Harness, .. args], TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["AMQP_URI"] = ItEnvironment.AmqpUri });
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"harness {string.Join(' ', args)} failed ({result.ExitCode}): {result.StdErr}{result.StdOut}");
        return result.StdOut;
    }

    public static Task DeclareAsync(string host, params string[] options) => RunAsync(["declare", "--host", host, .. options]);

    public static async Task<string> SendJobAsync(string host, string argsJson, string kwargsJson = "{}", string? taskId = null)
    {
        string[] extra = taskId is null ? [] : ["--task-id", taskId];
        var output = await RunAsync(["send-job", "--host", host, "--args", argsJson, "--kwargs", kwargsJson, .. extra]);
        return JsonDocument.Parse(output).RootElement.GetProperty("task_id").GetString()!;
    }

    /// <summary>Sends <paramref name="count"/> jobs at once, with ids from the one in <paramref name="argsJson"/> on, as a flood.</summary>
    public static Task SendJobsAsync(string host, string argsJson, int count, string kwargsJson = "{}") =>
        RunAsync(["send-job", "--host", host, "--args", argsJson, "--kwargs", kwargsJson, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Sends a probe; returns its task id and the Unix time at which the harness had published it.</summary>
    public static async Task<(string TaskId, double SentAt)> SendProbeAsync(string host)
    {
        var sent = JsonDocument.Parse(await RunAsync("send-probe", "--host", host)).RootElement;
        return (sent.GetProperty("task_id").GetString()!, sent.GetProperty("sent_at").GetDouble());
    }

    /// <summary>Sends our <c>cancel_terminus_job(job)</c> as a portal would, to the monitor queue (the default) or the job queue.</summary>
    public static Task SendCancelAsync(string host, long job, string to = "monitor") =>
        RunAsync("send-cancel", "--host", host, "--job", job.ToString(System.Globalization.CultureInfo.InvariantCulture), "--to", to);

    public static Task SendRawAsync(string host, string to, string body, params string[] options) =>
        RunAsync(["send-raw", "--host", host, "--to", to, "--body", body, .. options]);

    /// <summary><c>rabbitmqctl</c> with the test broker's node name.</summary>
    public static async Task<string> RabbitCtlAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync(ItEnvironment.RabbitCtl, args, TimeSpan.FromSeconds(120));
        if (result.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} failed: {result.StdErr}{result.StdOut}");
        return result.StdOut;
    }

    /// <summary>Ready and unacknowledged message counts and consumer count of a queue.</summary>
    public static async Task<(int Ready, int Unacked, int Consumers)> QueueStateAsync(string queue)
    {
        var output = await RabbitCtlAsync("list_queues", "-p", "terminus", "--quiet", "--no-table-headers", "name", "messages_ready", "messages_unacknowledged", "consumers");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cols = line.Split('\t', StringSplitOptions.TrimEntries);
            if (cols.Length == 4 && cols[0] == queue) return (int.Parse(cols[1]), int.Parse(cols[2]), int.Parse(cols[3]));
        }
        throw new InvalidOperationException($"queue {queue} not found in: {output}");
    }
}
