using System.Text;
using Terminus.Infrastructure.Processes;

namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>The live processes a test can recognise by a marker on their command line (a service's leftovers, an rsync of a tarball).</summary>
internal static class MarkedProcesses
{
    /// <summary>The pids of live processes (this one excepted) whose command line holds <paramref name="marker"/>.</summary>
    public static List<int> Find(string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        var found = new List<int>();
        foreach (var p in ProcessTable.All())
        {
            try
            {
                if (p.Pid != Environment.ProcessId && File.ReadAllBytes($"/proc/{p.Pid}/cmdline").AsSpan().IndexOf(needle) >= 0) found.Add(p.Pid);
            }
            catch (IOException) { }
        }
        return found;
    }
}
