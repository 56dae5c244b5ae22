namespace Terminus.Infrastructure.Sandbox;

/// <summary>A job's command line inside its sandbox, and the file its sandbox writes its proof to once made.</summary>
public sealed record SandboxedLaunch(IReadOnlyList<string> Command, string ProofFile);
