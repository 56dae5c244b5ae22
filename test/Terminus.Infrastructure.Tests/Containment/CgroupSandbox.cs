using System.Diagnostics;
using Terminus.Infrastructure.Containment;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>
/// A daemon instance of its own on this host's real cgroups (a fresh instance key), and the launches of its tests.
/// Disposing kills whatever is left in its job cgroups and removes them and the instance directories, even after a
/// failed test.
/// </summary>
internal sealed class CgroupSandbox : IDisposable
{
    private readonly List<Process> _launched = [];

    public CgroupSandbox()
    {
        InstanceKey = "terminus-test" + Guid.NewGuid().ToString("N")[..8];
        Host = CgroupHost.Activate(InstanceKey);
    }

    public string InstanceKey { get; }
    public CgroupHost Host { get; }

    /// <summary>Starts <paramref name="script"/> as the launcher will: a shell writes its pid into every procs file, then execs it.</summary>
    public Process Launch(JobCgroup job, string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("for f in \"$@\"; do echo $$ > \"$f\" || exit 97; done; exec /bin/sh -c \"$JOB_SCRIPT\"");
        psi.ArgumentList.Add("launcher");
        foreach (var file in job.ProcsFiles) psi.ArgumentList.Add(file);
        psi.Environment["JOB_SCRIPT"] = script;
        var process = Process.Start(psi)!;
        _launched.Add(process);
        return process;
    }

    public void Dispose()
    {
        var problems = new List<string>();
        foreach (var key in Host.JobKeys())
        {
            try
            {
                var job = Host.OpenJob(key)!;
                if (!job.KillAllAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult()) problems.Add($"{key} did not empty");
                job.Remove();
            }
            catch (CgroupException e) { problems.Add(e.Message); }
        }
        foreach (var process in _launched)
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.Dispose();
        }
        try { if (!Host.TryRemoveInstance()) problems.Add($"{InstanceKey} still holds job cgroups"); }
        catch (CgroupException e) { problems.Add(e.Message); }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
