using System.Text.Json;
using Terminus.Core.Jobs;
using Terminus.Core.Services;

namespace Terminus.Core.Execution;

/// <summary>
/// The job request as <c>terminus_runner.py</c> reads it: plain JSON data, written by the daemon into the job
/// directory. Message data only ever travels as JSON values, never as code or shell text.
/// </summary>
public static class RunnerRequest
{
    public const int Format = 1;

    /// <param name="killGrace">Between SIGTERM and SIGKILL when the runner ends what the service left running.</param>
    public static byte[] ToJson(JobSpec spec, string hostName, string runnerInterpreter, TimeSpan killGrace)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteNumber("job_id", spec.JobId.Value);
            w.WriteString("job_name", spec.JobName);
            w.WriteString("host", hostName);
            w.WriteStartObject("service");
            w.WriteString("name", spec.ServiceName);
            w.WriteString("type", spec.Service.Type == ServiceType.Bash ? "bash" : "python");
            w.WriteString("script", spec.Service.ScriptPath);
            w.WriteString("interpreter", spec.Service.Interpreter);
            w.WriteString("runner_interpreter", runnerInterpreter);
            w.WriteEndObject();
            w.WriteString("data_path", spec.DataPath);
            w.WriteString("portal_data_path", spec.RelativeDataPath);
            w.WriteString("data_ref", spec.DataRef);
            w.WriteStartObject("params");
            foreach (var (key, value) in spec.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(key);
                value.WriteTo(w);
            }
            w.WriteEndObject();
            w.WriteBoolean("test", spec.TestMode);
            w.WriteNumber("kill_grace_s", (int)Math.Ceiling(killGrace.TotalSeconds));
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The interpreter that runs the runner: the service's own for Python, the configured one for bash.</summary>
    public static string RunnerInterpreter(ServiceDefinition service, string runnerPython) =>
        service.Type == ServiceType.Python ? service.Interpreter : runnerPython;
}
