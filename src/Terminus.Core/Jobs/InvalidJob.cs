namespace Terminus.Core.Jobs;

/// <summary><paramref name="StatusText"/> goes to the portal; <paramref name="Detail"/> only to the operator's log.</summary>
public sealed record InvalidJob(string StatusText, string Detail) : JobValidation;
