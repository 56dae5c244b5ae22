namespace Terminus.Core.Containment;

/// <summary>
/// One line of <c>/proc/&lt;pid&gt;/cgroup</c>: <c>0::/path</c> for v2, <c>4:memory:/path</c> (or <c>2:cpu,cpuacct:/path</c>)
/// for v1. Named v1 hierarchies (<c>name=systemd</c>) carry no controller and are kept out by the parser.
/// </summary>
public sealed record CgroupMembership(CgroupVersion Version, IReadOnlyList<string> Controllers, string Path);
