namespace Terminus.Core.Containment;

/// <summary>What the daemon does about containment: use its cgroups, fall back to the process tree, or not start.</summary>
public enum ContainmentChoice { Cgroup, Subreaper, Refuse }
