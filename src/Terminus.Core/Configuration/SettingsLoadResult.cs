namespace Terminus.Core.Configuration;

/// <summary>
/// The outcome of loading: the settings when valid, every error found (one line each, naming the key),
/// and informative notes (where values came from, defaults used) for the host to log.
/// </summary>
public sealed record SettingsLoadResult(TerminusSettings? Settings, IReadOnlyList<string> Errors, IReadOnlyList<string> Notes)
{
    public bool IsValid => Settings is not null && Errors.Count == 0;
}
