namespace Terminus.Core.Jobs;

/// <summary>
/// Which entries of <c>__failed/</c> have been kept long enough (TERMINUS_FAILED_RETAIN_DAYS): those whose time (set
/// when the job's directory was moved there) lies <paramref name="keep"/> or more in the past. A time in the future
/// (a clock set back) keeps the entry.
/// </summary>
public static class FailedRetention
{
    public static IReadOnlyList<string> Expired(IEnumerable<(string Name, DateTime MovedUtc)> entries, DateTime nowUtc, TimeSpan keep) =>
        entries.Where(e => nowUtc - e.MovedUtc >= keep).Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
}
