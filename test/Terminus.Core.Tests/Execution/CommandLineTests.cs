using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class CommandLineTests
{
    [Fact]
    public void The_local_launch_script_is_fixed_and_every_path_is_an_argument()
    {
        var args = LocalLaunch.Arguments("/j/1_s/stdout.log", "/j/1_s/stderr.log", null, ["/cg/mem/job-1/cgroup.procs", "/cg/pids/job-1/cgroup.procs"],
            ["/usr/bin/python3", "/j/1_s/terminus_runner.py", "/j/1_s/terminus_request.json"]);
        Assert.Equal(["-c", LocalLaunch.Script, "terminus-launch", "/j/1_s/stdout.log", "/j/1_s/stderr.log", "", "2", "/cg/mem/job-1/cgroup.procs",
            "/cg/pids/job-1/cgroup.procs", "/usr/bin/python3", "/j/1_s/terminus_runner.py", "/j/1_s/terminus_request.json"], args);
        Assert.DoesNotContain("/j/", LocalLaunch.Script);
        Assert.DoesNotContain("/cg/", LocalLaunch.Script);
    }

    [Fact]
    public void A_sandboxed_launch_names_its_proof_file_and_the_sandbox_proves_itself_before_it_becomes_the_runner()
    {
        var inside = LocalLaunch.InSandbox(["/usr/bin/python3", "/j/1_s/terminus_runner.py", "/j/1_s/terminus_request.json"]);
        Assert.Equal([LocalLaunch.Shell, "-c", LocalLaunch.SandboxedScript, "terminus-sandboxed", "/usr/bin/python3", "/j/1_s/terminus_runner.py",
            "/j/1_s/terminus_request.json"], inside);
        var args = LocalLaunch.Arguments("/j/o", "/j/e", "/run/1_s.proof", [], ["bwrap", "--", .. inside]);
        Assert.Equal(["/j/o", "/j/e", "/run/1_s.proof", "0", "bwrap", "--", LocalLaunch.Shell], args.Skip(3).Take(7));
        Assert.DoesNotContain("/j/", LocalLaunch.SandboxedScript);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("sandbox made\n", true)]
    public void Only_the_proof_line_says_the_sandbox_was_made(string? text, bool made) => Assert.Equal(made, LocalLaunch.SandboxWasMade(text));

    [Fact]
    public void Rsync_is_0_7_s_command_with_batch_mode_timeouts_and_a_hidden_partial_file()
    {
        var args = RsyncCommand.Arguments(["/jobs/123_density_map/123_density_map.tar.gz"], "Galactica_storage", TimeSpan.FromSeconds(300));
        Assert.Equal(["-avP", "--partial-dir=.terminus-partial", "--timeout=300", "-e",
            "ssh -o BatchMode=yes -o ConnectTimeout=60 -o ServerAliveInterval=15 -o ServerAliveCountMax=4",
            "/jobs/123_density_map/123_density_map.tar.gz", "Galactica_storage:"], args);
        Assert.Contains("ConnectTimeout=5 ", RsyncCommand.Arguments(["/t.tar.gz"], "a", TimeSpan.FromSeconds(10))[4]);
    }

    [Fact]
    public void One_rsync_carries_several_tarballs_into_the_same_home()
    {
        var args = RsyncCommand.Arguments(["/jobs/1_a/1_a.tar.gz", "/jobs/2_b/2_b.tar.gz"], "Galactica_storage", TimeSpan.FromSeconds(300));
        Assert.Equal(["/jobs/1_a/1_a.tar.gz", "/jobs/2_b/2_b.tar.gz", "Galactica_storage:"], args.TakeLast(3));
        Assert.DoesNotContain("-R", args);
    }

    [Fact]
    public void Through_the_ssh_master_rsync_s_ssh_joins_its_socket_and_never_becomes_a_master_itself()
    {
        var args = RsyncCommand.Arguments(["/t.tar.gz"], "Galactica_storage", TimeSpan.FromSeconds(300), controlPath: "/home/lab/.terminus/run/ssh-0123456789ab");
        Assert.Equal("ssh -o BatchMode=yes -o ConnectTimeout=60 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 -o ControlMaster=no "
            + "-o ControlPath=/home/lab/.terminus/run/ssh-0123456789ab", args[4]);
    }

    [Fact]
    public void The_ssh_master_is_a_child_that_never_lingers_and_is_asked_through_its_socket()
    {
        Assert.Equal(["-M", "-N", "-o", "BatchMode=yes", "-o", "ConnectTimeout=60", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4",
            "-o", "ControlMaster=yes", "-o", "ControlPath=/r/ssh-x", "-o", "ControlPersist=no", "Galactica_storage"],
            SshMasterCommand.Master("Galactica_storage", "/r/ssh-x", TimeSpan.FromSeconds(300)));
        Assert.Equal(["-O", "check", "-o", "BatchMode=yes", "-o", "ControlPath=/r/ssh-x", "Galactica_storage"],
            SshMasterCommand.Control("check", "Galactica_storage", "/r/ssh-x"));
    }

    [Theory]
    [InlineData("/home/lab/.terminus/run/ssh-0123456789ab", null)]
    [InlineData("/home/my lab/.terminus/run/ssh-0123456789ab", "space")]
    [InlineData("/home/%u/run/ssh-0123456789ab", "'%'")]
    [InlineData("/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/run/ssh-0123456789ab", "unix socket")]
    public void A_socket_path_must_be_short_and_plain(string path, string? problem)
    {
        var said = SshMasterCommand.ControlPathProblem(path);
        if (problem is null) Assert.Null(said);
        else Assert.Contains(problem, said);
    }

    [Theory]
    [InlineData(255, "ssh failed")]
    [InlineData(30, "timeout")]
    [InlineData(12, "connection drop")]
    [InlineData(99, "rsync exit code 99")]
    public void Rsync_exit_codes_are_explained(int code, string expected) => Assert.Contains(expected, RsyncCommand.Explain(code));

    [Theory]
    [InlineData(12, "ssh: connect to host 127.0.0.1 port 2223: Connection refused | rsync: connection unexpectedly closed", "ssh failed")]
    [InlineData(255, "Permission denied (publickey).", "ssh failed")]
    [InlineData(12, "rsync: connection unexpectedly closed (0 bytes received so far) [sender]", "connection drop")]
    [InlineData(11, "rsync: write failed on \"/st/x.tar.gz\": No space left on device (28)", "storage full")]
    public void A_failed_ssh_is_named_whatever_exit_code_rsync_chose(int code, string output, string expected)
    {
        var explained = RsyncCommand.Explain(code, output);
        Assert.Contains(expected, explained);
        if (code != 255 && expected == "ssh failed") Assert.Contains($"rsync exit code {code}", explained);
    }
}
