namespace Terminus.Core.Sandbox;

/// <summary>What the daemon does about the sandbox: run local jobs inside it, run them as before, or not start.</summary>
public enum SandboxChoice { Sandbox, Unsandboxed, Refuse }
