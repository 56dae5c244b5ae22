using System.Runtime.InteropServices;
using System.Text;
using Terminus.Infrastructure.Storage;

namespace Terminus.Infrastructure.Tests.Storage;

public sealed class LogCapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("terminus-logcap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "stdout.log");

    private const int OWrOnlyAppend = 0x1 | 0x400;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint NativeWrite(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    private static void Write(int fd, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(bytes.Length, (int)NativeWrite(fd, bytes, bytes.Length));
    }

    [Fact]
    public void A_log_within_its_cap_is_left_alone()
    {
        File.WriteAllText(Log, "short\n");

        Assert.Equal(0, LogCap.Enforce(Log, 100));
        Assert.Equal("short\n", File.ReadAllText(Log));
        Assert.Equal(0, LogCap.Enforce(Path.Combine(_dir, "absent.log"), 100));
    }

    [Fact]
    public void Past_its_cap_the_tail_is_kept_after_a_line_that_says_so_and_an_appending_writer_goes_on_at_the_end()
    {
        File.WriteAllText(Log, "");
        var fd = Open(Log, OWrOnlyAppend); // held open with O_APPEND, as the shell's >> holds a job's log
        Assert.True(fd >= 0);
        try
        {
            Write(fd, new string('a', 900) + new string('b', 100));
            var dropped = LogCap.Enforce(Log, 200);
            Write(fd, "after");
            Assert.Equal(900, dropped);
        }
        finally { Close(fd); }

        Assert.Equal("[terminus: 900 earlier bytes of this log were dropped: it passed 200 bytes (TERMINUS_JOB_LOG_MAX_MB)]\n"
            + new string('b', 100) + "after", File.ReadAllText(Log));
    }

    [Fact]
    public void A_link_or_a_second_name_in_its_place_is_never_cut()
    {
        var precious = Path.Combine(_dir, "precious");
        File.WriteAllText(precious, new string('p', 1000));
        File.CreateSymbolicLink(Log, precious);
        Assert.Equal(0, LogCap.Enforce(Log, 100));
        File.Delete(Log);
        SpecialFiles.HardLink(precious, Log);

        Assert.Equal(0, LogCap.Enforce(Log, 100));
        Assert.Equal(1000, new FileInfo(precious).Length);
    }
}
