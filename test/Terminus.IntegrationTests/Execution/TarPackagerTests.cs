using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using Terminus.Actors.Execution;
using Terminus.Actors.Steps;
using Terminus.Core.Execution;
using Terminus.Core.Jobs;
using Terminus.Infrastructure.Storage;
using Terminus.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Terminus.IntegrationTests.Execution;

/// <summary>
/// The packager on real files, its tarballs read back by GNU tar and by Python's tarfile (0.7's own tool), and a
/// hostile service's tricks: links, FIFOs, sockets, hard links, entries swapped while packaging, names that are not UTF-8.
/// </summary>
public sealed class TarPackagerTests(ITestOutputHelper output) : IDisposable
{
    private const string Secret = "TOP-SECRET-DAEMON-CONFIGURATION";
    private readonly ExecutionSite _site = new();

    public void Dispose()
    {
        Run("rm", "-rf", "--", _site.Root); // .NET's recursive delete cannot name a file whose name is not UTF-8
        _site.Dispose();
    }

    private (JobSpec Spec, JobPaths Paths) Job()
    {
        _site.AddService("density_map", "def run(data_path, data_ref, test=False, **kw):\n    pass\n");
        var spec = _site.Spec("density_map");
        var paths = _site.Paths(spec);
        Directory.CreateDirectory(paths.OutDir);
        return (spec, paths);
    }

    /// <summary>A directory outside the job, as the daemon's configuration would be, with a secret in it.</summary>
    private string SecretDir()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_site.Root, "daemon-config")).FullName;
        File.WriteAllText(Path.Combine(dir, "secret.env"), Secret);
        return dir;
    }

    private static Task<StepOutcome> Package(JobSpec spec, string jobRoot, long max = 1 << 30) =>
        new TarPackager(jobRoot, max, ExecutionSite.Log).ExecuteAsync(ExecutionSite.Step(StepKind.Package, spec), StepControl.None());

    private static void Run(string program, params string[] args)
    {
        using var p = Process.Start(program, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>The tarball's entries by name (ASCII names), with their contents.</summary>
    private static Dictionary<string, string> Entries(string tarball)
    {
        var entries = new Dictionary<string, string>();
        using var reader = new TarReader(new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress));
        while (reader.GetNextEntry() is { } e)
            entries[e.Name] = e.DataStream is null ? "" : new StreamReader(e.DataStream).ReadToEnd();
        return entries;
    }

    private static string Unzipped(string tarball)
    {
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var text = new StreamReader(gzip, Encoding.Latin1);
        return text.ReadToEnd();
    }

    [Fact]
    public async Task The_tarball_has_the_service_as_its_root_in_a_deterministic_order_and_gnu_tar_and_python_read_it()
    {
        var (spec, paths) = Job();
        Directory.CreateDirectory(Path.Combine(paths.OutDir, "maps"));
        File.WriteAllText(Path.Combine(paths.OutDir, "processing_config.json"), "{}");
        File.WriteAllText(Path.Combine(paths.OutDir, "job.log"), "log\n");
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        File.WriteAllBytes(Path.Combine(paths.OutDir, "maps", "map.bin"), payload);
        File.CreateSymbolicLink(Path.Combine(paths.OutDir, "latest.bin"), "maps/map.bin");
        File.CreateSymbolicLink(Path.Combine(paths.OutDir, "passwd"), "/etc/passwd");
        File.WriteAllText(Path.Combine(paths.JobDir, "stdout.log"), "not for the user");

        Assert.IsType<StepOutcome.Succeeded>(await Package(spec, _site.JobDir));

        Assert.Equal($"{spec.JobId}_density_map.tar.gz", Path.GetFileName(paths.Tarball));
        var listing = await ProcessRunner.RunAsync("tar", ["-tzf", paths.Tarball], TimeSpan.FromSeconds(30));
        output.WriteLine(listing.StdOut);
        Assert.Equal(["density_map/", "density_map/job.log", "density_map/maps/", "density_map/maps/map.bin", "density_map/processing_config.json"],
            listing.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var extracted = Path.Combine(_site.Root, "extracted");
        Directory.CreateDirectory(extracted);
        Assert.Equal(0, (await ProcessRunner.RunAsync("tar", ["-xzf", paths.Tarball, "-C", extracted], TimeSpan.FromSeconds(30))).ExitCode);
        Assert.Equal(payload, File.ReadAllBytes(Path.Combine(extracted, "density_map", "maps", "map.bin")));
        var log = File.ReadAllLines(Path.Combine(extracted, "density_map", "job.log"));
        Assert.Equal("log", log[0]);
        Assert.EndsWith(" - WARNING - left out of the tarball: out/latest.bin (a symbolic link: only directories and regular files are packaged)", log[1]);
        Assert.EndsWith(" - WARNING - left out of the tarball: out/passwd (a symbolic link: only directories and regular files are packaged)", log[2]);

        var python = await ProcessRunner.RunAsync(ExecutionSite.Python3,
            ["-c", "import sys, tarfile; t = tarfile.open(sys.argv[1]); print(','.join(m.name for m in t.getmembers()))", paths.Tarball],
            TimeSpan.FromSeconds(30));
        Assert.Equal("density_map,density_map/job.log,density_map/maps,density_map/maps/map.bin,density_map/processing_config.json",
            python.StdOut.Trim());
        Assert.False(File.Exists(paths.Tarball + ".partial"));
    }

    [Fact]
    public async Task An_out_that_is_a_link_to_a_directory_outside_fails_clearly_and_packs_nothing()
    {
        var (spec, paths) = Job();
        Directory.Delete(paths.OutDir);
        Directory.CreateSymbolicLink(paths.OutDir, SecretDir());

        var failed = Assert.IsType<StepOutcome.Failed>(await Package(spec, _site.JobDir));

        Assert.Equal("An error occurred during job data tarball file creation. (out/ is a link, not a directory: nothing was packaged.)",
            failed.StatusText);
        Assert.StartsWith(StatusTexts.TarballError, failed.StatusText);
        Assert.Empty(Directory.GetFiles(paths.JobDir, "*.tar.gz*"));
    }

    [Fact]
    public async Task An_out_that_is_a_file_fails_clearly()
    {
        var (spec, paths) = Job();
        Directory.Delete(paths.OutDir);
        File.WriteAllText(paths.OutDir, "not a directory");

        var failed = Assert.IsType<StepOutcome.Failed>(await Package(spec, _site.JobDir));

        Assert.Equal(StatusTexts.TarballRefused("out/ is a file, not a directory"), failed.StatusText);
        Assert.Empty(Directory.GetFiles(paths.JobDir, "*.tar.gz*"));
    }

    [Fact]
    public async Task Links_to_files_outside_hard_links_sockets_and_fifos_are_left_out_named_in_the_job_log_and_nothing_hangs()
    {
        var (spec, paths) = Job();
        var secret = Path.Combine(SecretDir(), "secret.env");
        Directory.CreateDirectory(Path.Combine(paths.OutDir, "sub"));
        File.WriteAllText(Path.Combine(paths.OutDir, "result.txt"), "result");
        File.CreateSymbolicLink(Path.Combine(paths.OutDir, "config.env"), secret);
        File.CreateSymbolicLink(Path.Combine(paths.OutDir, "sub", "up.env"), "../../../daemon-config/secret.env");
        Run("ln", secret, Path.Combine(paths.OutDir, "hard.env"));
        Run("mkfifo", Path.Combine(paths.OutDir, "sub", "pipe"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(paths.OutDir, "sock")));

        Assert.IsType<StepOutcome.Succeeded>(await Package(spec, _site.JobDir).WaitAsync(TimeSpan.FromSeconds(60)));

        var entries = Entries(paths.Tarball);
        Assert.Equal(["density_map/", "density_map/job.log", "density_map/result.txt", "density_map/sub/"], entries.Keys);
        Assert.DoesNotContain(Secret, Unzipped(paths.Tarball));
        var log = entries["density_map/job.log"];
        output.WriteLine(log);
        Assert.Contains("left out of the tarball: out/config.env (a symbolic link", log);
        Assert.Contains("left out of the tarball: out/hard.env (a file with 2 hard links: its other names may be outside out/)", log);
        Assert.Contains("left out of the tarball: out/sock (a socket", log);
        Assert.Contains("left out of the tarball: out/sub/pipe (a named pipe (FIFO)", log);
        Assert.Contains("left out of the tarball: out/sub/up.env (a symbolic link", log);
        Assert.DoesNotContain(_site.Root, log);
        Assert.Equal(Secret, File.ReadAllText(secret));
    }

    [Fact]
    public async Task Entries_swapped_between_listing_and_packaging_for_links_hard_links_or_fifos_are_left_out()
    {
        var (spec, paths) = Job();
        var secretDir = SecretDir();
        var secret = Path.Combine(secretDir, "secret.env");
        var sub = Path.Combine(paths.OutDir, "sub");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, "inner.txt"), "inner");
        foreach (var name in new[] { "a.txt", "b.txt", "c.txt", "d.txt" }) File.WriteAllText(Path.Combine(paths.OutDir, name), name);
        var swapped = new List<string>();

        void Swap(OutputEntry entry)
        {
            var path = Path.Combine(paths.JobDir, entry.Path.ToString());
            swapped.Add(entry.Path.ToString());
            switch (entry.Path.ToString())
            {
                case "out/a.txt":
                    File.Delete(path);
                    File.CreateSymbolicLink(path, secret);
                    break;
                case "out/b.txt":
                    File.Delete(path);
                    Run("ln", secret, path);
                    break;
                case "out/c.txt":
                    File.Delete(path);
                    Run("mkfifo", path);
                    break;
                case "out/sub":
                    Directory.Move(path, Path.Combine(_site.Root, "moved-away"));
                    Directory.CreateSymbolicLink(path, secretDir);
                    break;
            }
        }

        var outcome = await Task.Run(() => TarPackager.Package(paths, 1 << 30, ExecutionSite.Log, CancellationToken.None, Swap))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.IsType<StepOutcome.Succeeded>(outcome);
        Assert.Equal(["out/a.txt", "out/b.txt", "out/c.txt", "out/d.txt", "out/sub"], swapped); // inner.txt never reached
        Assert.Equal(["density_map/", "density_map/d.txt"], Entries(paths.Tarball).Keys);
        Assert.DoesNotContain(Secret, Unzipped(paths.Tarball));
        Assert.Equal(Secret, File.ReadAllText(secret));
    }

    [Fact]
    public async Task Twenty_thousand_files_in_nested_directories_and_a_latin_1_name_reach_gnu_tar_and_python_with_their_exact_names()
    {
        var (spec, paths) = Job();
        byte[] latin1 = [.. "caf"u8, 0xE9, .. "-latin1.txt"u8];
        List<byte[]> expected = ["density_map/"u8.ToArray(), [.. "density_map/"u8, .. latin1]];
        Run(ExecutionSite.Python3, "-c", "import os, sys; open(os.path.join(os.fsencode(sys.argv[1]), b'caf\\xe9-latin1.txt'), 'wb').write(b'latin')",
            paths.OutDir);
        for (var d = 0; d < 20; d++)
        {
            var top = $"density_map/d{d:00}";
            expected.Add(Encoding.ASCII.GetBytes(top + "/"));
            for (var s = 0; s < 10; s++)
            {
                var dir = Directory.CreateDirectory(Path.Combine(paths.OutDir, $"d{d:00}", $"s{s}")).FullName;
                expected.Add(Encoding.ASCII.GetBytes($"{top}/s{s}/"));
                for (var f = 0; f < 100; f++)
                {
                    File.WriteAllText(Path.Combine(dir, $"f{f:000}.txt"), $"{d}-{s}-{f}");
                    expected.Add(Encoding.ASCII.GetBytes($"{top}/s{s}/f{f:000}.txt"));
                }
            }
        }

        var clock = Stopwatch.StartNew();
        var outcome = await Package(spec, _site.JobDir);
        clock.Stop();
        output.WriteLine($"packaged 20,001 files in 221 directories in {clock.ElapsedMilliseconds} ms ({new FileInfo(paths.Tarball).Length} bytes)");

        Assert.IsType<StepOutcome.Succeeded>(outcome);
        const string hexLines = "import sys; print('\\n'.join(l.hex() for l in sys.stdin.buffer.read().split(b'\\n') if l))";
        var gnu = await ProcessRunner.RunAsync("bash",
            ["-c", $"tar --quoting-style=literal -tzf \"$1\" | {ExecutionSite.Python3} -c \"{hexLines}\"", "-", paths.Tarball], TimeSpan.FromSeconds(120));
        Assert.Equal(expected.Select(Convert.ToHexStringLower), gnu.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var python = await ProcessRunner.RunAsync(ExecutionSite.Python3,
            ["-c", "import os, sys, tarfile; print('\\n'.join(os.fsencode(m.name).hex() for m in tarfile.open(sys.argv[1])))", paths.Tarball],
            TimeSpan.FromSeconds(120));
        Assert.Equal(expected.Select(n => Convert.ToHexStringLower(n.AsSpan().TrimEnd((byte)'/'))), // Python drops a directory's '/'
            python.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var extracted = Directory.CreateDirectory(Path.Combine(_site.Root, "extracted")).FullName;
        Assert.Equal(0, (await ProcessRunner.RunAsync("tar", ["-xzf", paths.Tarball, "-C", extracted], TimeSpan.FromSeconds(120))).ExitCode);
        Assert.Equal("19-9-99", File.ReadAllText(Path.Combine(extracted, "density_map", "d19", "s9", "f099.txt")));
        using var root = DirectoryHandle.Open(Path.Combine(extracted, "density_map"));
        using var file = root.TryOpenFile(new RawName(latin1), out _)!;
        Assert.Equal(5, RandomAccess.GetLength(file));
    }

    [Fact]
    public async Task Python_reads_a_base_256_size_and_a_raw_name_from_our_header()
    {
        var block = new byte[TarHeader.BlockSize];
        TarHeader.Write(block, [.. "svc/caf"u8, 0xE9], TarHeader.FileType, 0x1A4, 10L << 30, 1_700_000_000);
        var header = Path.Combine(_site.Root, "header.bin");
        File.WriteAllBytes(header, block);

        var python = await ProcessRunner.RunAsync(ExecutionSite.Python3, ["-c",
            "import os, sys, tarfile; t = tarfile.TarInfo.frombuf(open(sys.argv[1], 'rb').read(), 'utf-8', 'surrogateescape'); "
            + "print(t.size, oct(t.mode), t.mtime, t.uid, repr(t.uname), os.fsencode(t.name).hex())", header], TimeSpan.FromSeconds(30));

        Assert.Equal($"{10L << 30} 0o644 1700000000 0 '' {Convert.ToHexStringLower([.. "svc/caf"u8, 0xE9])}", python.StdOut.Trim());
    }

    [Fact]
    public async Task A_link_planted_at_the_partial_name_is_replaced_and_what_it_points_to_is_untouched()
    {
        var (spec, paths) = Job();
        File.WriteAllText(Path.Combine(paths.OutDir, "result.txt"), "result");
        var precious = Path.Combine(SecretDir(), "secret.env");
        File.CreateSymbolicLink(paths.Tarball + ".partial", precious);

        Assert.IsType<StepOutcome.Succeeded>(await Package(spec, _site.JobDir));

        Assert.Equal(Secret, File.ReadAllText(precious));
        Assert.Equal(["density_map/", "density_map/result.txt"], Entries(paths.Tarball).Keys);
        Assert.False(File.Exists(paths.Tarball + ".partial"));
        Assert.Null(new FileInfo(paths.Tarball).LinkTarget);
    }

    [Fact]
    public async Task Results_over_the_size_limit_are_refused_with_a_clear_message()
    {
        var (spec, paths) = Job();
        File.WriteAllBytes(Path.Combine(paths.OutDir, "cube.bin"), new byte[3 * 1024 * 1024]);
        var failed = Assert.IsType<StepOutcome.Failed>(await Package(spec, _site.JobDir, max: 2 * 1024 * 1024));
        Assert.Equal("Job results are too large to be uploaded: 3 MiB in out/, the limit is 2 MiB.", failed.StatusText);
        Assert.False(File.Exists(paths.Tarball));
    }

    [Fact]
    public async Task A_job_directory_removed_by_the_sysadmin_gives_0_7_s_text()
    {
        var (spec, paths) = Job();
        Directory.Delete(paths.JobDir, recursive: true);
        Assert.Equal(StatusTexts.JobDirRemoved, Assert.IsType<StepOutcome.Failed>(await Package(spec, _site.JobDir)).StatusText);
    }
}
