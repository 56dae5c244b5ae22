namespace Terminus.Core.Containment;

/// <summary>Which cgroup interface a hierarchy speaks: v1 (one hierarchy per controller set) or v2 (unified).</summary>
public enum CgroupVersion { V1, V2 }
