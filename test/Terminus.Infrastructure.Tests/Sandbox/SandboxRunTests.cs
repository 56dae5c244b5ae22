using System.Diagnostics;
using Terminus.Core.Sandbox;
using Terminus.Infrastructure.Processes;
using Terminus.Infrastructure.Sandbox;
using Terminus.TestSupport;
using Xunit.Abstractions;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>
/// A shell run through the plan's bwrap command line, as the test's own user (root in CI) and as uid 65534 (an
/// unprivileged user namespace), in a lab laid out flat and nested: each rule holds, and nothing else changed.
/// </summary>
public sealed class SandboxRunTests(ITestOutputHelper output)
{
    private const string Bwrap = "/usr/bin/bwrap";

    // Prints one "name=value" line per fact; every path comes as an argument.
    private const string Probe = """
        secret=$1 ledger=$2 data=$3 snap=$4 root=$5 job=$6 marker=$7 testpid=$8
        [ -e "$secret" ] && echo secret=visible || echo secret=absent
        [ -e "$ledger" ] && echo ledger=visible || echo ledger=absent
        ls "$data/cat/proj/sim/output_00001/" >/dev/null && echo data_read=yes
        touch "$data/written" 2>/dev/null && echo data_write=yes || echo data_write=no
        touch "$data/cat/proj/sim/output_00001/written" 2>/dev/null && echo link_write=yes || echo link_write=no
        touch "$snap/written" 2>/dev/null && echo snap_write=yes || echo snap_write=no
        echo "jobs=$(ls -A "$root" | sort | tr '\n' ' ')"
        echo hi >"$job/written" && echo job_write=yes || echo job_write=no
        echo "tmp=$(ls -A /tmp | tr '\n' ' ')"
        echo mine >"/tmp/$marker" && echo tmp_write=yes
        echo "parent=$(cat /proc/$PPID/comm)"
        [ -d "/proc/$testpid" ] && echo sees_test=yes
        echo "netns=$(readlink /proc/self/ns/net)"
        echo "mntns=$(readlink /proc/self/ns/mnt)"
        echo x >/dev/null && echo dev_null=yes
        python3 -c 'import json' && echo python=yes
        """;

    public static TheoryData<bool> Layouts => new() { false, true };

    [Theory]
    [MemberData(nameof(Layouts))]
    public Task As_the_test_s_own_user_every_rule_holds(bool nested) => EveryRuleHolds(nested, runAs: []);

    [AsRootTheory]
    [MemberData(nameof(Layouts))]
    public Task As_an_unprivileged_user_every_rule_holds(bool nested) => EveryRuleHolds(nested, RunAs.Nobody);

    private async Task EveryRuleHolds(bool nested, IReadOnlyList<string> runAs)
    {
        using var lab = new FakeLab(nested);
        var marker = "terminus-sandbox-" + Guid.NewGuid().ToString("N")[..8];
        var hostMarker = Path.Combine("/tmp", marker + ".host");
        File.WriteAllText(hostMarker, "the host's /tmp");
        try
        {
            var line = SandboxPlan.Create(lab.Paths()).CommandLine(Bwrap, ["/bin/sh", "-c", Probe, "probe",
                lab.SecretFile, Path.Combine(lab.LedgerDir, "terminus-ledger.db"), lab.DataDir, lab.Snapshot, lab.JobRoot, lab.JobDir,
                marker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            IReadOnlyList<string> command = [.. runAs, .. line];

            var r = await BoundedProcess.RunAsync(command[0], command.Skip(1).ToList(), TimeSpan.FromSeconds(60));
            output.WriteLine(r.StdOut + r.StdErr);
            Assert.Equal(0, r.ExitCode);
            var facts = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

            Assert.Equal(("absent", "absent"), (facts["secret"], facts["ledger"]));
            Assert.Equal(("yes", "no", "no", "no"), (facts["data_read"], facts["data_write"], facts["link_write"], facts["snap_write"]));
            Assert.Equal(nested ? $"{FakeLab.JobName} data " : $"{FakeLab.JobName} ", facts["jobs"]); // no other job, no __failed/
            Assert.Equal("yes", facts["job_write"]);
            Assert.Equal("hi\n", File.ReadAllText(Path.Combine(lab.JobDir, "written")));
            Assert.Equal(("", "yes"), (facts["tmp"], facts["tmp_write"]));
            Assert.False(File.Exists(Path.Combine("/tmp", marker)), "the job's /tmp reached the host's");
            Assert.Equal(("bwrap", "yes"), (facts["parent"], facts["sees_test"])); // the host's pids: no pid namespace
            Assert.Equal(File.ResolveLinkTarget("/proc/self/ns/net", false)!.FullName.Split('/')[^1], facts["netns"]);
            Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/mnt", false)!.FullName.Split('/')[^1], facts["mntns"]);
            Assert.Equal(("yes", "yes"), (facts["dev_null"], facts["python"]));
            Assert.False(File.Exists(Path.Combine(lab.DataDir, "written")));
            Assert.Equal("s3cret\n", File.ReadAllText(lab.SecretFile));
        }
        finally
        {
            File.Delete(hostMarker);
        }
    }

    [Fact]
    public void What_bwrap_adds_to_a_command_is_measured_not_asserted()
    {
        using var lab = new FakeLab();
        var options = SandboxPlan.Create(lab.Paths()).Options();
        output.WriteLine($"median of 20 runs of /bin/true, {options.Count} bwrap options:");
        output.WriteLine($"  plain:               {Median("/bin/true", []):0.0} ms");
        output.WriteLine($"  bwrap:               {Median(Bwrap, [.. options, "--", "/bin/true"]):0.0} ms");
        if (Terminus.Infrastructure.Containment.NativeCalls.EffectiveUid == 0)
        {
            output.WriteLine($"  plain as uid 65534:  {Median(RunAs.Nobody[0], [.. RunAs.Nobody.Skip(1), "/bin/true"]):0.0} ms");
            output.WriteLine($"  bwrap as uid 65534:  {Median(RunAs.Nobody[0], [.. RunAs.Nobody.Skip(1), Bwrap, .. options, "--", "/bin/true"]):0.0} ms");
        }
    }

    private static double Median(string program, IReadOnlyList<string> arguments)
    {
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var psi = new ProcessStartInfo(program) { UseShellExecute = false };
            foreach (var a in arguments) psi.ArgumentList.Add(a);
            var watch = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            if (!p.WaitForExit(TimeSpan.FromSeconds(30))) { p.Kill(); throw new TimeoutException($"{program} did not end"); }
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(0, p.ExitCode);
        }
        times.Sort();
        return (times[9] + times[10]) / 2;
    }
}
