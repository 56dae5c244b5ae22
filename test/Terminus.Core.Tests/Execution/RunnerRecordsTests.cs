using System.Text;
using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class RunnerRecordsTests
{
    [Fact]
    public void Complete_lines_are_events_and_a_line_being_written_waits_for_the_next_read()
    {
        var text = "{\"status\": \"running\", \"message\": \"job is running\"}\n{\"status\": \"compl";
        var bytes = Encoding.UTF8.GetBytes(text);
        var (events, next) = RunnerRecords.ParseEvents(bytes, 0);
        Assert.Equal([new RunnerEvent("running", "job is running")], events);
        Assert.Equal(text.IndexOf('\n') + 1, next);

        var more = Encoding.UTF8.GetBytes(text + "eted\", \"message\": \"ok\"}\n");
        (events, next) = RunnerRecords.ParseEvents(more, next);
        Assert.Equal([new RunnerEvent("completed", "ok")], events);
        Assert.Equal(more.Length, next);
    }

    [Theory]
    [InlineData("not json\n")]
    [InlineData("[1, 2]\n")]
    [InlineData("{\"message\": \"no status\"}\n")]
    [InlineData("{\"status\": 3}\n")]
    public void Garbage_lines_are_skipped(string line)
    {
        var (events, next) = RunnerRecords.ParseEvents(Encoding.UTF8.GetBytes(line), 0);
        Assert.Empty(events);
        Assert.Equal(Encoding.UTF8.GetByteCount(line), next);
    }

    [Fact]
    public void The_exit_record_and_the_runner_record_are_read()
    {
        Assert.Equal(new ExitRecord("failed", "boom", 1, null),
            RunnerRecords.ParseExit("""{"status": "failed", "message": "boom", "exit_code": 1, "signal": null, "started": "x"}"""));
        Assert.Equal(new ExitRecord("failed", "killed", null, 9),
            RunnerRecords.ParseExit("""{"status": "failed", "message": "killed", "exit_code": null, "signal": 9}"""));
        Assert.Null(RunnerRecords.ParseExit("{\"status\": \"comp"));
        Assert.Equal(new RunnerRecord(4242, 4242, 123456789, "node01"),
            RunnerRecords.ParseRunner("""{"pid": 4242, "pgid": 4242, "start_ticks": 123456789, "hostname": "node01"}"""));
        Assert.Null(RunnerRecords.ParseRunner("{}"));
    }

    [Fact]
    public void Tail_gives_the_last_lines_of_a_big_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, string.Concat(Enumerable.Range(0, 10_000).Select(i => $"line {i}\n")) + "\r\nprogress 10%\rprogress 100%\n");
            Assert.Equal("line 9997 | line 9998 | line 9999 | progress 100%", RunnerRecords.Tail(path, maxLines: 4));
            Assert.Equal("", RunnerRecords.Tail(path + ".missing"));
        }
        finally { File.Delete(path); }
    }
}
