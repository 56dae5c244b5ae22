using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public sealed class CancelNoteTests
{
    [Theory]
    [InlineData("wrong snapshot")]
    [InlineData(null)]
    public void A_note_reads_back_as_the_operator_s_cancel(string? reason)
    {
        var text = CancelNote.Write(new JobId(4242), reason);
        Assert.Equal(new CancelRequest(new JobId(4242), CancelledBy.Operator, reason), Assert.IsType<CancelBinding.Usable>(CancelNote.Read(text)).Request);
        Assert.Equal("4242.cancel", CancelNote.FileName(new JobId(4242)));
    }

    [Theory]
    [InlineData("", "not JSON: ")]
    [InlineData("[4242]", "not a JSON object")]
    [InlineData("{\"jobid\": -1}", "'jobid' must be a non-negative integer, got -1")]
    [InlineData("{\"reason\": \"x\"}", "the request has no 'jobid' argument")]
    [InlineData("{\"jobid\": 1, \"by\": \"root\"}", "'by' must be \"portal\" or \"operator\", got \"root\"")]
    [InlineData("{\"jobid\": 1, \"rm\": \"-rf\"}", "unexpected argument 'rm'")]
    public void A_note_that_names_no_job_says_why(string text, string reason) =>
        Assert.StartsWith(reason, Assert.IsType<CancelBinding.Unusable>(CancelNote.Read(text)).Reason);

    [Fact]
    public void A_reason_is_cut_to_one_printable_line_as_on_the_wire()
    {
        var request = Assert.IsType<CancelBinding.Usable>(CancelNote.Read("{\"jobid\": 1, \"reason\": \"two\\nlines\\u001b[31m\"}")).Request;
        Assert.DoesNotContain('\n', request.Reason!);
        Assert.DoesNotContain('\u001b', request.Reason!);
    }
}
