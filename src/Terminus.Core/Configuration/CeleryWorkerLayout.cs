using System.Globalization;

namespace Terminus.Core.Configuration;

/// <summary>
/// Reads the job capacity out of 0.7's celery-multi lines, which the operator set with terminus_config:
/// 0.7:     CELERYD_NODES=job_worker1@h.terminus … job_workerN@h.terminus monitor@h.terminus
///          CELERYD_OPTS="--concurrency=C -Q h.terminus_jobs -c:N+1 1 -Q:N+1 h.monitor"
/// pre-0.6: CELERYD_NODES=N   and   CELERYD_OPTS="--concurrency=C -Q h.terminus_jobs"
/// 0.7 itself never read these back (its parser tested the wrong variable); we do, so an existing deployment keeps its N×C.
/// </summary>
public static class CeleryWorkerLayout
{
    /// <summary>
    /// Number of job nodes in CELERYD_NODES: a plain integer (pre-0.6), or the names that are not a monitor node.
    /// Returns null and an error text when the value gives no job node.
    /// </summary>
    public static int? ParseJobNodes(string celerydNodes, out string? error)
    {
        error = null;
        string value = celerydNodes.Trim();
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count))
        {
            if (count > 0)
                return count;
            error = $"CELERYD_NODES '{value}' is not a positive number of nodes";
            return null;
        }

        string[] names = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        int jobNodes = names.Count(n => !IsMonitorNode(n));
        if (jobNodes > 0)
            return jobNodes;
        error = $"CELERYD_NODES '{value}' names no job worker node (only monitor nodes)";
        return null;
    }

    /// <summary>"monitor@h.terminus" (or "monitor"): the node 0.7 dedicates to the liveness probe, not to jobs.</summary>
    public static bool IsMonitorNode(string nodeName)
    {
        int at = nodeName.IndexOf('@', StringComparison.Ordinal);
        string name = at >= 0 ? nodeName[..at] : nodeName;
        return name.StartsWith("monitor", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The default per-node concurrency in CELERYD_OPTS: --concurrency=C, --concurrency C, -c C, -c=C or -cC.
    /// Per-node overrides such as "-c:5 1" (0.7's monitor node) are skipped. The last one wins, as on a command line.
    /// Returns null when there is none (error stays null) or when its value is not a positive integer (error set).
    /// </summary>
    public static int? ParseConcurrency(string celerydOpts, out string? error)
    {
        error = null;
        string[] tokens = celerydOpts.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string? found = null;
        for (int i = 0; i < tokens.Length; i++)
        {
            string t = tokens[i];
            string? inline = t switch
            {
                _ when t.StartsWith("--concurrency=", StringComparison.Ordinal) => t["--concurrency=".Length..],
                _ when t.StartsWith("-c=", StringComparison.Ordinal) => t[3..],
                _ when t.StartsWith("-c", StringComparison.Ordinal) && t.Length > 2 && char.IsAsciiDigit(t[2]) => t[2..],
                _ => null,
            };
            if (inline is not null)
                found = inline;
            else if (t is "--concurrency" or "-c" && i + 1 < tokens.Length)
                found = tokens[++i];
            else if (t.StartsWith("-c:", StringComparison.Ordinal) || t.StartsWith("--concurrency:", StringComparison.Ordinal))
                i++; // per-node override and its value: not the job nodes' concurrency
        }

        if (found is null)
            return null;
        if (int.TryParse(found, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c > 0)
            return c;
        error = $"CELERYD_OPTS concurrency '{found}' is not a positive integer";
        return null;
    }
}
