namespace Terminus.Core.Sandbox;

/// <summary>The paths cannot make a sandbox (a relative or odd path, two directories that clash); the message says which.</summary>
public sealed class SandboxPathsException(string message) : Exception(message);
