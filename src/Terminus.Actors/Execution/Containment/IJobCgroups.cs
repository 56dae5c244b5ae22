using Terminus.Core.Services;

namespace Terminus.Actors.Execution.Containment;

/// <summary>The host's cgroups for local jobs, when the daemon may create them.</summary>
public interface IJobCgroups
{
    /// <summary>Which mechanism, where, for humans (the daemon's log, <c>terminus check</c>).</summary>
    string Description { get; }

    /// <summary>Creates (or reuses) the cgroup of a job run, with the service's limits or the host's defaults.</summary>
    IJobCgroup Create(string key, ServiceDefinition service);

    /// <summary>The cgroup of a job run created earlier (by this or a previous incarnation of the daemon); null if gone.</summary>
    IJobCgroup? Open(string key);
}
