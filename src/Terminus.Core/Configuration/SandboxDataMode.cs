namespace Terminus.Core.Configuration;

/// <summary>
/// <c>TERMINUS_SANDBOX_DATA</c>: how a sandboxed job sees the data directory and what its datasource links point to:
/// <c>ro</c> (read-only, the default) or <c>rw</c> (writable, for labs whose tools write caches next to the data).
/// </summary>
public enum SandboxDataMode { ReadOnly, Writable }
