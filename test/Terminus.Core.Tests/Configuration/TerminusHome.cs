namespace Terminus.Core.Tests.Configuration;

/// <summary>
/// A throw-away home directory with ~/.terminus, the three data directories and a helper for the environment.
/// Deleted on Dispose.
/// </summary>
internal sealed class TerminusHome : IDisposable
{
    public TerminusHome()
    {
        Root = Path.Combine(Path.GetTempPath(), "terminus-config-tests-" + Guid.NewGuid().ToString("N"));
        Home = Path.Combine(Root, "home", "galactica");
        DotDir = Path.Combine(Home, ".terminus");
        DataDir = Path.Combine(Root, "data");
        JobDir = Path.Combine(Root, "jobs");
        ServiceDir = Path.Combine(Root, "services");
        foreach (string dir in new[] { DotDir, Path.Combine(DotDir, "_secret"), DataDir, JobDir, ServiceDir })
            Directory.CreateDirectory(dir);
    }

    public string Root { get; }
    public string Home { get; }
    public string DotDir { get; }
    public string DataDir { get; }
    public string JobDir { get; }
    public string ServiceDir { get; }
    public string EnvFilePath => Path.Combine(DotDir, "terminus.env");
    public string PasswordFilePath => Path.Combine(DotDir, "_secret", "rabbitmq_server_pwd");

    public TerminusHome WithEnvFile(string text)
    {
        File.WriteAllText(EnvFilePath, text);
        return this;
    }

    public TerminusHome WithPassword(string text)
    {
        File.WriteAllText(PasswordFilePath, text);
        return this;
    }

    /// <summary>An environment holding every required key (as systemd's EnvironmentFile= would give it).</summary>
    public Dictionary<string, string?> FullEnvironment() => new()
    {
        ["TERMINUS_HOSTNAME"] = "anais",
        ["TERMINUS_DATA_DIR"] = DataDir,
        ["TERMINUS_JOB_DIR"] = JobDir,
        ["TERMINUS_SERVICE_DIR"] = ServiceDir,
        ["RABBITMQ_USERNAME"] = "terminus",
        ["RABBITMQ_HOST"] = "192.168.1.10",
        ["RABBITMQ_PORT"] = "5672",
        ["RABBITMQ_VIRTUAL_HOST"] = "galactica",
        ["PATH"] = "/usr/bin",
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp dir must not fail a test
        }
    }
}
