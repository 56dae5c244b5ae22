namespace Terminus.Config.Cli;

/// <summary>
/// Where the daemon's binary is, for what only the daemon can check (the broker, with its own connection code). Looked
/// for in this order: <c>TERMINUS_DAEMON</c> (a program or a .dll), beside this command (an installed prefix, a test
/// build), in the repository's own build of the daemon (a checkout), then <c>terminus-daemon</c> on PATH.
/// </summary>
public sealed record DaemonBinary(string Program, IReadOnlyList<string> Arguments)
{
    public const string DllName = "terminus-daemon.dll";

    public static DaemonBinary? Locate(IReadOnlyDictionary<string, string?> environment)
    {
        if (environment.GetValueOrDefault("TERMINUS_DAEMON") is { Length: > 0 } configured) return For(configured);
        var here = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(here, DllName))) return For(Path.Combine(here, DllName));
        if (RepositoryBuild(here) is { } built) return For(built);
        return (environment.GetValueOrDefault("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "terminus-daemon")).FirstOrDefault(File.Exists) is { } onPath
            ? new DaemonBinary(onPath, [])
            : null;
    }

    /// <summary>A .dll runs with the .NET host running this command (or dotnet on PATH); anything else is run as is.</summary>
    private static DaemonBinary For(string path) =>
        path.EndsWith(".dll", StringComparison.Ordinal) ? new DaemonBinary(DotnetHost(), [path]) : new DaemonBinary(path, []);

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    /// <summary>From <c>src/Terminus.Config/bin/&lt;cfg&gt;/&lt;tfm&gt;/</c> to <c>src/Terminus.Host/bin/&lt;cfg&gt;/&lt;tfm&gt;/</c>.</summary>
    private static string? RepositoryBuild(string here)
    {
        var tfm = new DirectoryInfo(here.TrimEnd('/'));
        var configuration = tfm.Parent;
        var bin = configuration?.Parent;
        if (bin?.Name != "bin" || bin.Parent?.Name != "Terminus.Config" || bin.Parent.Parent is not { } src) return null;
        var candidate = Path.Combine(src.FullName, "Terminus.Host", "bin", configuration!.Name, tfm.Name, DllName);
        return File.Exists(candidate) ? candidate : null;
    }
}
