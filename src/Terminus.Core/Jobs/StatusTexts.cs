namespace Terminus.Core.Jobs;

/// <summary>
/// The status messages shown to portal users. Those of 0.7 are kept byte for byte (docs/wire-contract.md, "Statuses", typos included);
/// the ones 0.7 never sent (it crashed instead) are ours and say what to fix.
/// </summary>
public static class StatusTexts
{
    public const string Submitted = "Job successfully submitted (pending execution)";
    public const string Running = "Job is running.";
    public const string Completed = "Job completed successfully.";
    public const string Uploaded = "Job data tarball successfully uploaded.";
    public const string TimedOut = "Job timed out";
    public const string TestModeTypeError = "'test_mode' type error: job submission failed";
    public const string ServiceInfoNotFound = "Service configuration json file 'service.json' not found.";
    public const string ServiceInfoError = "Service configuration 'service.json' format not correct .";
    public const string SubmissionError = "SLURM error : job submission failed";
    public const string TarballError = "An error occurred during job data tarball file creation.";
    public const string UploadError = "Job execution completed successfully but an error occurred during job data transfer.";
    public const string JobDirRemoved = "Job execution directory has been removed by sysadmin during execution.";

    public static string ServiceNotAvailable(string service) => $"Post-processing service '{service}' is not available.";
    public static string DataDirectoryNotFound(string relativePath) => $"Raw simulation data directory '{relativePath}' not found.";
    public static string StoppedWithError(string message) => $"Job stopped with error message : '{message}'.";

    /// <summary>A job that TERMINUS_SANDBOX=on may not run, as its sandbox could not be made (the runner never started).</summary>
    public static readonly string SandboxNotMade = StoppedWithError("the job's sandbox could not be made on the Terminus host");

    // New in Terminus.Actors: 0.7 crashed on these without a reply.
    public static string InvalidRequest(string detail) => $"Invalid job request: {detail}.";
    public static string InvalidAlias(string role, string value) =>
        $"Invalid {role} alias '{value}': it must be a single directory name (letters, digits, '_', '-', '.').";
    public static string InvalidDataReference(string shown, string why) => $"Invalid data reference {shown}: {why}.";

    /// <summary>Ours: the job was cancelled (<c>cancel_terminus_job</c> or <c>terminus cancel</c>) before it ended on its own.</summary>
    public static string Cancelled(CancelRequest cancel) =>
        cancel.Reason is { } reason ? $"Job cancelled by {cancel.Who}: {reason}." : $"Job cancelled by {cancel.Who}.";

    /// <summary>0.7's tarball text, then why nothing could be packaged, e.g. "out/ is a link, not a directory".</summary>
    public static string TarballRefused(string why) => $"{TarballError} ({why}: nothing was packaged.)";

    public static string ResultsTooLarge(long bytes, long limit) =>
        $"Job results are too large to be uploaded: {Size(bytes)} in out/, the limit is {Size(limit)}.";

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##} GiB"),
        >= 1L << 20 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##} MiB"),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
