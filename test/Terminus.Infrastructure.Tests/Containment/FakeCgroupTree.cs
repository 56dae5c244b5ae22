namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>
/// A cgroup2 mount laid out as plain files in a temporary directory (the real one cannot be delegated here): enough
/// for detection and activation to read and write what they would on a systemd host with <c>Delegate=yes</c>.
/// </summary>
internal sealed class FakeCgroupTree : IDisposable
{
    public FakeCgroupTree() => MountPoint = Directory.CreateTempSubdirectory("terminus-fake-cgroup-").FullName;

    public string MountPoint { get; }

    public string MountInfo => $"26 23 0:24 / {MountPoint} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

    /// <summary>A cgroup directory with the given control files.</summary>
    public string Cgroup(string path, params (string File, string Text)[] files)
    {
        var directory = Directory.CreateDirectory(MountPoint + path).FullName;
        foreach (var (file, text) in files) File.WriteAllText(Path.Combine(directory, file), text);
        return directory;
    }

    /// <summary>Every file under the mount with its content, to prove that nothing changed.</summary>
    public Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(MountPoint, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => File.Exists(f) ? File.ReadAllText(f) : "<dir>");

    public void Dispose() => Directory.Delete(MountPoint, recursive: true);
}
