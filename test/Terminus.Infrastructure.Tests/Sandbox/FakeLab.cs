using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>
/// A lab's directories for sandbox tests, under /var/tmp (outside /tmp, which the sandbox replaces), each open to uid
/// 65534 on the host, so that whatever it cannot do inside the sandbox is the sandbox's doing, not the permissions':
/// a readable secret in the dot dir, a world-writable data dir and snapshot (the data dir links to it, datasource
/// style), another job's directory and <c>__failed/</c> in the job root, and this job's own directory.
/// </summary>
internal sealed class FakeLab : IDisposable
{
    public const string JobName = "123_density_map";

    /// <param name="nested">The ledger and the job root inside the dot dir, the data dir inside the job root.</param>
    public FakeLab(bool nested = false)
    {
        Root = Make("/var/tmp", "terminus-sandbox-" + Guid.NewGuid().ToString("N")[..8]);
        DotDir = Make(Root, "dot");
        LedgerDir = Make(DotDir, "ledger");
        JobRoot = nested ? Make(DotDir, "jobs") : Make(Root, "jobs");
        DataDir = nested ? Make(JobRoot, "data") : Make(Root, "data");
        ServiceDir = Make(Root, "services");
        Snapshot = Make(Make(Root, "archive"), "output_00001");
        JobDir = Make(JobRoot, JobName);
        OtherJobDir = Make(JobRoot, "99_other");
        FailedDir = Make(JobRoot, "__failed");
        SecretFile = Write(Make(DotDir, "_secret"), "rabbitmq_server_pwd", "s3cret\n");
        Write(LedgerDir, "terminus-ledger.db", "ledger");
        Write(ServiceDir, "service.json", "{}");
        var simulation = Make(Make(Make(DataDir, "cat"), "proj"), "sim");
        File.CreateSymbolicLink(Path.Combine(simulation, "output_00001"), Snapshot);
        foreach (var dir in new[] { DataDir, Snapshot, JobDir, OtherJobDir, FailedDir, ServiceDir })
            File.SetUnixFileMode(dir, (UnixFileMode)0x1FF); // 0777: uid 65534 could write there, but for the sandbox
    }

    public string Root { get; }
    public string DotDir { get; }
    public string LedgerDir { get; }
    public string JobRoot { get; }
    public string DataDir { get; }
    public string ServiceDir { get; }
    public string Snapshot { get; }
    public string JobDir { get; }
    public string OtherJobDir { get; }
    public string FailedDir { get; }
    public string SecretFile { get; }

    public SandboxPaths Paths(SandboxDataMode mode = SandboxDataMode.ReadOnly) =>
        new(DataDir, [Snapshot], DotDir, LedgerDir, JobRoot, JobDir, ServiceDir, mode);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string Make(string parent, string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755, whatever the umask
        return dir;
    }

    private static string Write(string dir, string name, string text)
    {
        var file = Path.Combine(dir, name);
        File.WriteAllText(file, text);
        File.SetUnixFileMode(file, (UnixFileMode)0x1A4); // 0644
        return file;
    }
}
