namespace Terminus.Core.Jobs;

/// <summary>What becomes of a job's directory when the job ends (0.7: deleted after an upload or a test run, else moved to <c>__failed/</c>).</summary>
public enum JobDirFate
{
    Keep,
    Delete,
    MoveToFailed,
}

public static class JobDirFates
{
    public static JobDirFate FateOf(JobPhase terminal, bool testMode) => terminal switch
    {
        JobPhase.Uploaded => JobDirFate.Delete,
        JobPhase.Succeeded when testMode => JobDirFate.Delete,
        _ => JobDirFate.MoveToFailed,
    };
}
