namespace Terminus.Core.Operator;

/// <summary>
/// What <c>terminus check</c> tells of a running daemon, from its <c>/metrics</c>: whether it consumes both queues,
/// whether its broker connections are up, how many statuses wait for the broker, whether its ledger can be written.
/// One <see cref="CheckLine"/> each. Pure: the command fetches the text.
/// </summary>
public static class DaemonHealth
{
    public static IReadOnlyList<(CheckVerdict Verdict, string What, string Detail)> Lines(IReadOnlyList<MetricSample> samples)
    {
        double? One(string name, string? label = null, string? value = null) => samples
            .Where(s => s.Name == name && (label is null || s.Labels.GetValueOrDefault(label) == value)).Select(s => (double?)s.Value).FirstOrDefault();

        if (One("terminus_ledger_writable") is null)
            return [(CheckVerdict.Fail, "daemon", "its metrics endpoint answers, but without the daemon's metrics (another program on that port?)")];

        var lines = new List<(CheckVerdict, string, string)>();
        var held = samples.Where(s => s.Name == "terminus_jobs").Sum(s => s.Value);
        var notConsuming = new[] { "jobs", "monitor" }.Where(q => One("terminus_consuming", "queue", q) != 1).ToList();
        lines.Add(notConsuming.Count == 0
            ? (CheckVerdict.Ok, "daemon", $"running, consuming the job and monitor queues, {held:0} job(s) held")
            : (CheckVerdict.Fail, "daemon", $"running, but not consuming the {string.Join(" and ", notConsuming)} queue{(notConsuming.Count > 1 ? "s" : "")} (see its log)"));

        var connections = samples.Where(s => s.Name == "terminus_broker_connected").ToList();
        var down = connections.Where(c => c.Value != 1).Select(c => c.Labels.GetValueOrDefault("connection") ?? "?").ToList();
        lines.Add(down.Count == 0
            ? (CheckVerdict.Ok, "daemon broker", connections.Count == 0 ? "no connection opened yet" : $"connected ({string.Join(", ", connections.Select(c => c.Labels.GetValueOrDefault("connection")))})")
            : (CheckVerdict.Fail, "daemon broker", $"not connected: {string.Join(", ", down)} (it reconnects with backoff; see its log)"));

        var unconfirmed = One("terminus_statuses_unconfirmed") ?? 0;
        lines.Add(unconfirmed == 0
            ? (CheckVerdict.Ok, "daemon statuses", "every status confirmed by the broker")
            : (CheckVerdict.Warn, "daemon statuses", $"{unconfirmed:0} status(es) not yet confirmed by the broker (kept in the ledger, sent again until confirmed)"));

        var paused = samples.Where(s => s.Name == "terminus_intake_paused" && s.Value == 1).Select(s => s.Labels.GetValueOrDefault("reason")).FirstOrDefault();
        lines.Add(One("terminus_ledger_writable") == 1
            ? (CheckVerdict.Ok, "daemon ledger", paused is null ? "writable; taking jobs" : $"writable; not taking jobs now: {paused?.Replace('_', ' ')}")
            : (CheckVerdict.Fail, "daemon ledger", $"not writable: no job is taken and probes go unanswered{(paused is null ? "" : $" ({paused.Replace('_', ' ')})")}"));
        return lines;
    }
}
