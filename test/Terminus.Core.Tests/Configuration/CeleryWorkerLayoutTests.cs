using Terminus.Core.Configuration;

namespace Terminus.Core.Tests.Configuration;

public class CeleryWorkerLayoutTests
{
    [Theory]
    [InlineData("job_worker1@anais.terminus job_worker2@anais.terminus job_worker3@anais.terminus job_worker4@anais.terminus monitor@anais.terminus", 4)]
    [InlineData("job_worker1@h.terminus monitor@h.terminus", 1)]
    [InlineData("3", 3)]             // pre-0.6: a plain node count, no monitor node
    [InlineData(" 12 ", 12)]
    [InlineData("w1 w2", 2)]
    [InlineData("job_worker1@%h  job_worker2@%h\tmonitor@%h", 2)]
    public void Counts_job_nodes_and_leaves_out_the_monitor(string value, int expected)
    {
        Assert.Equal(expected, CeleryWorkerLayout.ParseJobNodes(value, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("monitor@h.terminus")]
    [InlineData("0")]
    [InlineData("-2")]
    public void A_layout_without_job_nodes_is_an_error_naming_the_key(string value)
    {
        Assert.Null(CeleryWorkerLayout.ParseJobNodes(value, out string? error));
        Assert.StartsWith("CELERYD_NODES ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--concurrency=2 -Q anais.terminus_jobs -c:5 1 -Q:5 anais.monitor", 2)]
    [InlineData("-c:5 1 -Q:5 h.monitor --concurrency=3 -Q h.terminus_jobs", 3)]
    [InlineData("--concurrency 4 -Q h.terminus_jobs", 4)]
    [InlineData("-c 5 -Q h.terminus_jobs -c:2 1", 5)]
    [InlineData("-c=6", 6)]
    [InlineData("-c7", 7)]
    [InlineData("--concurrency=2 --concurrency=8", 8)]
    public void Reads_the_default_concurrency_not_the_monitor_override(string opts, int expected)
    {
        Assert.Equal(expected, CeleryWorkerLayout.ParseConcurrency(opts, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("-Q h.terminus_jobs -c:5 1 -Q:5 h.monitor")]
    [InlineData("")]
    [InlineData("--loglevel=INFO")]
    public void No_concurrency_option_gives_null_without_error(string opts)
    {
        Assert.Null(CeleryWorkerLayout.ParseConcurrency(opts, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("--concurrency=abc")]
    [InlineData("--concurrency=0")]
    [InlineData("-c -1")]
    public void A_bad_concurrency_is_an_error_naming_the_key(string opts)
    {
        Assert.Null(CeleryWorkerLayout.ParseConcurrency(opts, out string? error));
        Assert.StartsWith("CELERYD_OPTS ", error, StringComparison.Ordinal);
    }
}
