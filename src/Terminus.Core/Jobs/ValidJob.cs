namespace Terminus.Core.Jobs;

public sealed record ValidJob(JobSpec Spec) : JobValidation;
