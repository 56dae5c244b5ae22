namespace Terminus.Infrastructure.Containment;

/// <summary>A cgroup could not be created, limited, read, signalled or removed; the message names the file and says why.</summary>
public sealed class CgroupException(string message, Exception? inner = null) : Exception(message, inner);
