namespace Terminus.Actors.Execution;

/// <summary>What becomes of a job's directory when the job ends (0.7: deleted after an upload or a test run, else moved to <c>__failed/</c>).</summary>
public enum JobDirFate { Keep, Delete, MoveToFailed }
