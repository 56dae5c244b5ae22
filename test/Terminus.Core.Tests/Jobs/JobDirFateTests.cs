using Terminus.Core.Jobs;

namespace Terminus.Core.Tests.Jobs;

public sealed class JobDirFateTests
{
    [Theory]
    [InlineData(JobPhase.Uploaded, false, JobDirFate.Delete)]
    [InlineData(JobPhase.Succeeded, true, JobDirFate.Delete)]
    [InlineData(JobPhase.Failed, false, JobDirFate.MoveToFailed)]
    [InlineData(JobPhase.Failed, true, JobDirFate.MoveToFailed)]
    [InlineData(JobPhase.TimedOut, false, JobDirFate.MoveToFailed)]
    public void A_job_directory_is_deleted_after_an_upload_or_a_test_run_and_kept_in_failed_otherwise(JobPhase terminal, bool test, JobDirFate fate) =>
        Assert.Equal(fate, JobDirFates.FateOf(terminal, test));
}
