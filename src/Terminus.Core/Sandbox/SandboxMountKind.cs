namespace Terminus.Core.Sandbox;

/// <summary>How a path looks inside the sandbox.</summary>
public enum SandboxMountKind
{
    /// <summary>The host's directory, read-only (<c>--ro-bind</c>).</summary>
    ReadOnly,
    /// <summary>The host's directory, writable (<c>--bind</c>): bound back where an enclosing path is hidden.</summary>
    Writable,
    /// <summary>An empty tmpfs over it (<c>--tmpfs</c>): what the host has there cannot be seen.</summary>
    Hidden,
    /// <summary>The job's own <c>/tmp</c>: a directory of its own on the host, or an empty tmpfs.</summary>
    Private,
}
