namespace Terminus.Core.Services;

/// <summary>Failure with the exact 0.7 status text, and a detail for the operator's log.</summary>
public sealed record ServiceUnusable(string StatusText, string Detail) : ServiceLookup;
