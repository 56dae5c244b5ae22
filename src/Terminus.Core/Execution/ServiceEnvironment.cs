namespace Terminus.Core.Execution;

/// <summary>
/// The environment a service runs in: a clean one, built from scratch rather than filtered, so nothing of the
/// daemon's (broker settings, secrets, .NET variables) reaches it. 0.7 let jobs inherit everything.
/// </summary>
public static class ServiceEnvironment
{
    public const string BasePath = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>Variables a program reasonably expects to find, taken from the daemon when it has them.</summary>
    private static readonly string[] Inherited = ["HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    public static IReadOnlyDictionary<string, string> Build(
        IReadOnlyDictionary<string, string?> daemonEnvironment, string interpreter, IReadOnlyList<string> passThrough)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Inherited.Concat(passThrough))
            if (daemonEnvironment.TryGetValue(name, out var value) && value is not null)
                env[name] = value;
        env.TryAdd("LANG", "C.UTF-8");
        // The service's own interpreter first, so "python" in a service's subprocess is the same Python.
        var interpreterDir = Path.GetDirectoryName(interpreter);
        var path = passThrough.Contains("PATH") && env.TryGetValue("PATH", out var passed) ? passed : BasePath;
        env["PATH"] = string.IsNullOrEmpty(interpreterDir) || path.Split(':').Contains(interpreterDir) ? path : $"{interpreterDir}:{path}";
        return env;
    }
}
