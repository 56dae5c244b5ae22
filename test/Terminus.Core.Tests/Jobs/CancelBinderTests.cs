using Terminus.Core.Celery;
using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public class CancelBinderTests
{
    private static CeleryTask Task(string args, string kwargs = "{}") => JobRequestBinderTests.Task(args, kwargs, CancelBinder.TaskName);

    private static CancelRequest Usable(CancelBinding binding) => Assert.IsType<CancelBinding.Usable>(binding).Request;

    [Fact]
    public void A_job_id_alone_is_the_portal_s_cancel_without_a_reason()
    {
        Assert.Equal(new CancelRequest(new JobId(42), CancelledBy.Portal, null), Usable(CancelBinder.Bind(Task("[42]"))));
        Assert.Equal(new CancelRequest(new JobId(42), CancelledBy.Portal, null), Usable(CancelBinder.Bind(Task("[]", """{"jobid": 42}"""))));
    }

    [Fact]
    public void The_operator_s_cancel_carries_who_and_why_and_the_reason_is_one_printable_line()
    {
        var request = Usable(CancelBinder.Bind(Task("[7]", """{"by": "operator", "reason": "sent by mistake\nsecond line"}""")));
        Assert.Equal(CancelledBy.Operator, request.By);
        Assert.DoesNotContain('\n', request.Reason!);
        Assert.StartsWith("sent by mistake", request.Reason);
        Assert.Equal("Job cancelled by the lab's operator: " + request.Reason + ".", StatusTexts.Cancelled(request));
        Assert.Equal("Job cancelled by the portal.", StatusTexts.Cancelled(new CancelRequest(new JobId(1), CancelledBy.Portal, null)));
        Assert.True(Usable(CancelBinder.Bind(Task("[7]", $$"""{"reason": "{{new string('x', 5000)}}"}"""))).Reason!.Length <= CancelBinder.MaxReasonLength);
        Assert.Null(Usable(CancelBinder.Bind(Task("""[7, "   "]"""))).Reason);
    }

    [Theory]
    [InlineData("[]", "{}", "no 'jobid'")]
    [InlineData("[\"42\"]", "{}", "non-negative integer")]
    [InlineData("[-1]", "{}", "non-negative integer")]
    [InlineData("[4.0]", "{}", "non-negative integer")]
    [InlineData("[4]", "{\"jobid\": 4}", "given twice")]
    [InlineData("[4]", "{\"by\": \"root\"}", "'by' must be")]
    [InlineData("[4]", "{\"reason\": 12}", "'reason' must be a string")]
    [InlineData("[4]", "{\"force\": true}", "unexpected argument 'force'")]
    [InlineData("[4, null, null, 1]", "{}", "at most 3")]
    public void A_cancel_that_names_no_job_clearly_is_unusable(string args, string kwargs, string why)
    {
        var unusable = Assert.IsType<CancelBinding.Unusable>(CancelBinder.Bind(Task(args, kwargs)));
        Assert.Contains(why, unusable.Reason);
    }
}
