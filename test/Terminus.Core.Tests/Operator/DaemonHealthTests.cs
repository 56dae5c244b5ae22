using Terminus.Core.Operator;

namespace Terminus.Core.Tests.Operator;

public sealed class DaemonHealthTests
{
    private const string Healthy = """
        # HELP terminus_consuming 1 while the daemon consumes the queue (jobs, monitor).
        # TYPE terminus_consuming gauge
        terminus_consuming{queue="jobs"} 1
        terminus_consuming{queue="monitor"} 1
        terminus_broker_connected{connection="jobs"} 1
        terminus_broker_connected{connection="monitor"} 1
        terminus_broker_connected{connection="status"} 1
        terminus_jobs{phase="running"} 2
        terminus_jobs{phase="uploading"} 1
        terminus_statuses_unconfirmed 0
        terminus_intake_paused{reason="slots_full"} 0
        terminus_ledger_writable 1
        terminus_job_phase_duration_seconds_bucket{phase="running",le="+Inf"} 3
        process_cpu_seconds_total 1.5e+00
        """;

    [Fact]
    public void The_exposition_is_read_sample_by_sample_labels_escapes_and_special_values_included()
    {
        var samples = MetricSample.Parse(Healthy + "\nweird{a=\"x\\\"y\",b=\"z\"} NaN 1700000000\nbroken{ 3\n");
        var bucket = samples.Single(s => s.Name == "terminus_job_phase_duration_seconds_bucket");
        Assert.Equal(("running", "+Inf", 3.0), (bucket.Labels["phase"], bucket.Labels["le"], bucket.Value));
        Assert.Equal(1.5, samples.Single(s => s.Name == "process_cpu_seconds_total").Value);
        var weird = samples.Single(s => s.Name == "weird");
        Assert.Equal(("x\"y", "z"), (weird.Labels["a"], weird.Labels["b"]));
        Assert.True(double.IsNaN(weird.Value));
        Assert.DoesNotContain(samples, s => s.Name.StartsWith("broken"));
    }

    [Fact]
    public void A_healthy_daemon_is_four_ok_lines()
    {
        var lines = DaemonHealth.Lines(MetricSample.Parse(Healthy));
        Assert.All(lines, l => Assert.Equal(CheckVerdict.Ok, l.Verdict));
        Assert.Equal("running, consuming the job and monitor queues, 3 job(s) held", lines[0].Detail);
        Assert.Equal("connected (jobs, monitor, status)", lines[1].Detail);
    }

    [Fact]
    public void A_daemon_cut_from_its_broker_with_statuses_waiting_and_an_unwritable_ledger_says_each()
    {
        var sick = Healthy.Replace("terminus_consuming{queue=\"jobs\"} 1", "terminus_consuming{queue=\"jobs\"} 0")
            .Replace("terminus_broker_connected{connection=\"status\"} 1", "terminus_broker_connected{connection=\"status\"} 0")
            .Replace("terminus_statuses_unconfirmed 0", "terminus_statuses_unconfirmed 7")
            .Replace("terminus_ledger_writable 1", "terminus_ledger_writable 0")
            .Replace("terminus_intake_paused{reason=\"slots_full\"} 0", "terminus_intake_paused{reason=\"ledger_unwritable\"} 1");
        var lines = DaemonHealth.Lines(MetricSample.Parse(sick));
        Assert.Equal([CheckVerdict.Fail, CheckVerdict.Fail, CheckVerdict.Warn, CheckVerdict.Fail], lines.Select(l => l.Verdict));
        Assert.Contains("not consuming the jobs queue", lines[0].Detail);
        Assert.Contains("not connected: status", lines[1].Detail);
        Assert.StartsWith("7 status(es) not yet confirmed", lines[2].Detail);
        Assert.Contains("(ledger unwritable)", lines[3].Detail);
    }

    [Fact]
    public void Something_else_on_the_port_is_not_taken_for_the_daemon()
    {
        var line = Assert.Single(DaemonHealth.Lines(MetricSample.Parse("node_load1 0.5\n")));
        Assert.Equal(CheckVerdict.Fail, line.Verdict);
    }
}
