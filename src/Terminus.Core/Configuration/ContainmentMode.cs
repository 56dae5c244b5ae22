namespace Terminus.Core.Configuration;

/// <summary>
/// <c>TERMINUS_CONTAINMENT</c>: how a job's processes are kept together. <c>auto</c> uses a cgroup when one is usable,
/// else the process-tree (subreaper) fallback; <c>cgroup</c> requires one (the daemon refuses to start without);
/// <c>subreaper</c> never uses cgroups.
/// </summary>
public enum ContainmentMode { Auto, Cgroup, Subreaper }
