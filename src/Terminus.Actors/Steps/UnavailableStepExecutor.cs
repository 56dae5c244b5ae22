using Terminus.Core.Jobs;

namespace Terminus.Actors.Steps;

/// <summary>
/// The executor of a step this build cannot perform yet: the job fails at once with a message that says so,
/// rather than hanging in <c>pending</c>. Replaced by the local/SLURM runner, tar packager and rsync uploader.
/// </summary>
public sealed class UnavailableStepExecutor(string what) : IStepExecutor
{
    public Task<StepOutcome> ExecuteAsync(RunStep step, Action started, CancellationToken cancellationToken) =>
        Task.FromResult<StepOutcome>(new StepOutcome.Failed(
            StatusTexts.StoppedWithError($"{what} is not available in this version of Terminus.Actors"),
            $"no {what} executor is configured"));
}
