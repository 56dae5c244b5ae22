using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;

namespace Terminus.Core.Tests.Sandbox;

public sealed class SandboxPlanTests
{
    private const string Job = "123_density_map";

    // A lab as docs/operations.md installs it: the dot dir in the home, data and jobs side by side elsewhere.
    private static readonly SandboxPaths Lab = new(
        DataDir: "/data/terminus/data",
        DataLinkTargets: ["/archive/orion/output_00002", "/archive/orion/output_00001", "/data/terminus/data/cat/p/s/inside"],
        DotDir: "/home/lab/.terminus",
        LedgerDir: "/home/lab/.terminus/ledger",
        JobRoot: "/data/terminus/jobs",
        JobDir: $"/data/terminus/jobs/{Job}",
        ServiceDir: "/home/lab/services",
        DataMode: SandboxDataMode.ReadOnly);

    private static string Text(IEnumerable<string> options) => string.Join(" ", options);

    [Fact]
    public void A_lab_s_layout_outer_paths_first_and_nothing_that_changes_nothing()
    {
        var plan = SandboxPlan.Create(Lab);

        // The ledger lies inside the hidden dot dir and one link target inside the read-only data dir: no mount of their own.
        Assert.Equal(
            "--unshare-user --cap-drop ALL --dev-bind / / --tmpfs /tmp "
            + "--ro-bind-try /archive/orion/output_00001 /archive/orion/output_00001 "
            + "--ro-bind-try /archive/orion/output_00002 /archive/orion/output_00002 "
            + "--ro-bind /data/terminus/data /data/terminus/data "
            + "--tmpfs /data/terminus/jobs "
            + "--tmpfs /home/lab/.terminus "
            + "--ro-bind /home/lab/services /home/lab/services "
            + $"--bind /data/terminus/jobs/{Job} /data/terminus/jobs/{Job}",
            Text(plan.Options()));
    }

    [Fact]
    public void The_job_s_tmp_is_a_directory_of_its_own_in_the_hidden_job_root_not_memory()
    {
        var scratch = SandboxPaths.ScratchDirFor(Lab.JobRoot, Job);
        var plan = SandboxPlan.Create(Lab with { TmpDir = scratch });

        Assert.Equal($"/data/terminus/jobs/.terminus-tmp/{Job}", scratch);
        Assert.StartsWith($"--unshare-user --cap-drop ALL --dev-bind / / --bind {scratch} /tmp ", Text(plan.Options()));
        Assert.Contains("--tmpfs /data/terminus/jobs ", Text(plan.Options())); // so no job sees another's /tmp
    }

    [Theory]
    [InlineData("/var/tmp/elsewhere")]
    [InlineData("/data/terminus/jobs/123_density_map/tmp")]
    [InlineData("/data/terminus/jobs/../tmp")]
    public void A_tmp_outside_the_job_root_or_inside_the_job_s_own_directory_is_refused(string tmp) =>
        Assert.Throws<SandboxPathsException>(() => SandboxPlan.Create(Lab with { TmpDir = tmp }));

    [Fact]
    public void The_command_follows_the_options_after_a_double_dash_each_word_an_argument()
    {
        var line = SandboxPlan.Create(Lab).CommandLine("/usr/bin/bwrap", ["/usr/bin/python3", "/jobs/x/terminus_runner.py", "a b; rm -rf /"]);

        Assert.Equal("/usr/bin/bwrap", line[0]);
        Assert.Equal(["--", "/usr/bin/python3", "/jobs/x/terminus_runner.py", "a b; rm -rf /"], line.Skip(line.ToList().IndexOf("--")));
        Assert.Throws<ArgumentException>(() => SandboxPlan.Create(Lab).CommandLine("/usr/bin/bwrap", []));
    }

    [Fact]
    public void No_pid_namespace_no_death_with_the_daemon_no_new_session_but_a_user_namespace_without_capabilities()
    {
        var options = SandboxPlan.Create(Lab).Options();

        foreach (var forbidden in new[] { "--die-with-parent", "--unshare-pid", "--unshare-all", "--new-session", "--unshare-net", "--proc", "--dev", "--cap-add" })
            Assert.DoesNotContain(forbidden, options);
        Assert.Equal(["--unshare-user", "--cap-drop", "ALL"], options.Take(3));
    }

    [Fact]
    public void The_ledger_and_the_job_root_inside_the_dot_dir_the_job_s_directory_is_still_bound_back()
    {
        var plan = SandboxPlan.Create(Lab with { LedgerDir = "/home/lab/.terminus/ledger", JobRoot = "/home/lab/.terminus/jobs", JobDir = $"/home/lab/.terminus/jobs/{Job}" });

        Assert.Equal(
            "--unshare-user --cap-drop ALL --dev-bind / / --tmpfs /tmp "
            + "--ro-bind-try /archive/orion/output_00001 /archive/orion/output_00001 "
            + "--ro-bind-try /archive/orion/output_00002 /archive/orion/output_00002 "
            + "--ro-bind /data/terminus/data /data/terminus/data "
            + "--tmpfs /home/lab/.terminus "
            + "--ro-bind /home/lab/services /home/lab/services "
            + $"--bind /home/lab/.terminus/jobs/{Job} /home/lab/.terminus/jobs/{Job}",
            Text(plan.Options()));
    }

    [Fact]
    public void The_data_dir_inside_the_job_root_is_shown_again_read_only_and_so_is_a_link_into_another_job()
    {
        var plan = SandboxPlan.Create(Lab with
        {
            DataDir = "/srv/terminus/data", JobRoot = "/srv/terminus", JobDir = $"/srv/terminus/{Job}",
            DataLinkTargets = ["/srv/terminus/99_other/out"],
        });

        Assert.Equal(
            "--unshare-user --cap-drop ALL --dev-bind / / --tmpfs /tmp --tmpfs /srv/terminus "
            + "--tmpfs /home/lab/.terminus --ro-bind /home/lab/services /home/lab/services "
            + $"--bind /srv/terminus/{Job} /srv/terminus/{Job} "
            + "--ro-bind /srv/terminus/data /srv/terminus/data "
            + "--ro-bind-try /srv/terminus/99_other/out /srv/terminus/99_other/out",
            Text(plan.Options()));
    }

    [Fact]
    public void Read_only_inside_writable_inside_hidden_inside_read_only_each_is_made()
    {
        var plan = SandboxPlan.Create(Lab with
        {
            DataDir = "/d", JobRoot = "/d/jobs", JobDir = "/d/jobs/1_x", DataLinkTargets = ["/d/jobs/1_x/in", "/d/cat/inside"],
            DotDir = null, LedgerDir = null, ServiceDir = "/s",
        });

        Assert.Equal("--unshare-user --cap-drop ALL --dev-bind / / --ro-bind /d /d --ro-bind /s /s --tmpfs /tmp --tmpfs /d/jobs --bind /d/jobs/1_x /d/jobs/1_x "
            + "--ro-bind-try /d/jobs/1_x/in /d/jobs/1_x/in", Text(plan.Options()));
    }

    [Fact]
    public void Directories_under_tmp_are_bound_back_into_the_private_tmp()
    {
        var plan = SandboxPlan.Create(new SandboxPaths("/tmp/t/data", [], "/tmp/t/dot", null, "/tmp/t/jobs", $"/tmp/t/jobs/{Job}", "/tmp/t/svc", SandboxDataMode.ReadOnly));

        // The hidden ones lie in the already empty /tmp: only what must be seen is bound.
        Assert.Equal($"--unshare-user --cap-drop ALL --dev-bind / / --tmpfs /tmp --ro-bind /tmp/t/data /tmp/t/data --ro-bind /tmp/t/svc /tmp/t/svc --bind /tmp/t/jobs/{Job} /tmp/t/jobs/{Job}",
            Text(plan.Options()));
    }

    [Fact]
    public void Writable_data_needs_no_mount_unless_it_lies_in_a_hidden_directory()
    {
        var flat = SandboxPlan.Create(Lab with { DataMode = SandboxDataMode.Writable });
        Assert.DoesNotContain("/data/terminus/data", flat.Options());
        Assert.DoesNotContain("/archive/orion/output_00001", flat.Options());

        var nested = SandboxPlan.Create(Lab with { DataMode = SandboxDataMode.Writable, DataDir = "/data/terminus/jobs/data", DataLinkTargets = ["/home/lab/.terminus/snap"] });
        Assert.Contains("--bind /data/terminus/jobs/data /data/terminus/jobs/data", Text(nested.Options()));
        Assert.Contains("--bind-try /home/lab/.terminus/snap /home/lab/.terminus/snap", Text(nested.Options()));
    }

    [Fact]
    public void Link_targets_give_way_to_the_configured_directories()
    {
        var plan = SandboxPlan.Create(Lab with { DataLinkTargets = ["/data/terminus/jobs", "/home/lab/.terminus", "/home/lab/services", "/tmp"] });

        var options = Text(plan.Options());
        Assert.DoesNotContain("--ro-bind-try", options);
        Assert.Contains("--tmpfs /data/terminus/jobs ", options);
        Assert.Contains("--tmpfs /home/lab/.terminus ", options);
    }

    [Fact]
    public void Configured_directories_that_are_one_path_with_the_same_rule_make_one_mount()
    {
        var plan = SandboxPlan.Create(Lab with { ServiceDir = "/data/terminus/data", LedgerDir = "/home/lab/.terminus" });

        Assert.Single(plan.Mounts, m => m.Path == "/data/terminus/data");
        Assert.Contains("the data directory (TERMINUS_DATA_DIR) and the service directory (TERMINUS_SERVICE_DIR)", plan.Mounts.Single(m => m.Path == "/data/terminus/data").Role);
        Assert.Single(plan.Mounts, m => m.Path == "/home/lab/.terminus");
    }

    [Theory]
    [InlineData("/data/terminus/jobs", null, "the data directory (TERMINUS_DATA_DIR) and the job directory root (TERMINUS_JOB_DIR) are the same directory, /data/terminus/jobs: the sandbox cannot make it both read-only and hidden")]
    [InlineData(null, "/data/terminus/jobs", "the job directory root (TERMINUS_JOB_DIR) and the service directory (TERMINUS_SERVICE_DIR) are the same directory, /data/terminus/jobs: the sandbox cannot make it both hidden and read-only")]
    [InlineData("/tmp", null, "the data directory (TERMINUS_DATA_DIR) and /tmp are the same directory, /tmp: the sandbox cannot make it both read-only and the job's private /tmp")]
    public void Configured_directories_that_clash_are_refused(string? dataDir, string? serviceDir, string message)
    {
        var e = Assert.Throws<SandboxPathsException>(() => SandboxPlan.Create(Lab with { DataDir = dataDir ?? Lab.DataDir, ServiceDir = serviceDir ?? Lab.ServiceDir }));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("/data/terminus/jobs")]
    [InlineData("/data/terminus/other/123_density_map")]
    [InlineData("/data/terminus/jobsx/123_density_map")]
    public void The_job_s_directory_must_lie_inside_the_job_root(string jobDir)
    {
        var e = Assert.Throws<SandboxPathsException>(() => SandboxPlan.Create(Lab with { JobDir = jobDir }));
        Assert.Contains("is not inside the job directory root /data/terminus/jobs", e.Message);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("data", "it is not absolute")]
    [InlineData("~/data", "it is not absolute")]
    [InlineData("/", "it is the root of the file system")]
    [InlineData("/data//x", "it holds an empty, '.' or '..' segment")]
    [InlineData("/data/./x", "it holds an empty, '.' or '..' segment")]
    [InlineData("/data/../etc", "it holds an empty, '.' or '..' segment")]
    [InlineData("/data/", "it ends with '/'")]
    [InlineData("/data/x\ny", "it holds a control character")]
    [InlineData("/data/x\0", "it holds a control character")]
    public void Relative_and_odd_paths_are_refused_in_every_role(string path, string problem)
    {
        var roles = new Func<SandboxPaths, SandboxPaths>[]
        {
            p => p with { DataDir = path },
            p => p with { DataLinkTargets = [path] },
            p => p with { DotDir = path },
            p => p with { LedgerDir = path },
            p => p with { JobRoot = path, JobDir = path + "/1_x" },
            p => p with { JobDir = path },
            p => p with { ServiceDir = path },
        };
        foreach (var role in roles)
        {
            var e = Assert.Throws<SandboxPathsException>(() => SandboxPlan.Create(role(Lab)));
            Assert.EndsWith(problem, e.Message);
            Assert.DoesNotContain("\n", e.Message);
        }
    }

    [Fact]
    public void A_path_that_looks_like_options_stays_one_argument()
    {
        var odd = "/data/it's --bind / /x";
        var options = SandboxPlan.Create(Lab with { DataDir = odd }).Options();

        var at = options.ToList().IndexOf(odd);
        Assert.Equal(("--ro-bind", odd), (options[at - 1], options[at + 1]));
    }

    [Fact]
    public void The_summary_names_what_is_hidden_and_read_only()
    {
        Assert.Equal("hidden: /home/lab/.terminus, /home/lab/.terminus/ledger; read-only: /data/terminus/data, /home/lab/services, 3 datasource link targets; "
            + "in /data/terminus/jobs only the job's own directory; a private /tmp", SandboxPlan.Create(Lab).Summary());
        Assert.EndsWith("writable as TERMINUS_SANDBOX_DATA=rw asks: /data/terminus/data and 3 datasource link targets",
            SandboxPlan.Create(Lab with { DataMode = SandboxDataMode.Writable }).Summary());
    }
}
