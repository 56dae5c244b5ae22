namespace Terminus.Core.Configuration;

/// <summary>The result of parsing a terminus.env text: the values, and notes about lines that were skipped.</summary>
public sealed record EnvFileContent(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Notes);
