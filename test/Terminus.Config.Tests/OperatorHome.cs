using Terminus.Config.Cli;

namespace Terminus.Config.Tests;

/// <summary>A lab user's home in a temp directory, and the command's input and output as strings.</summary>
internal sealed class OperatorHome : IDisposable
{
    public OperatorHome()
    {
        Home = Directory.CreateTempSubdirectory("terminus-operator-").FullName;
    }

    public string Home { get; }
    public string DotDir => Path.Combine(Home, ".terminus");
    public string EnvFile => Path.Combine(DotDir, "terminus.env");
    public string UnitFile => Path.Combine(DotDir, "terminus.service");
    public string PasswordFile => Path.Combine(DotDir, "_secret", "rabbitmq_server_pwd");
    public string Dir(string name) => Path.Combine(Home, name);

    public string MakeDir(string name) => Directory.CreateDirectory(Dir(name)).FullName;

    /// <summary>Runs a command with the given input lines; returns its exit code and everything it printed.</summary>
    public (int Code, string Output) Run(Func<CommandIo, int> command, params string[] inputLines) =>
        RunWith(new Dictionary<string, string?>(), command, inputLines);

    /// <summary>Like <see cref="Run"/>, with more environment variables than HOME (PATH, say).</summary>
    public (int Code, string Output) RunWith(IReadOnlyDictionary<string, string?> environment, Func<CommandIo, int> command, params string[] inputLines)
    {
        var output = new StringWriter();
        var io = new CommandIo(new StringReader(string.Join('\n', inputLines) + (inputLines.Length > 0 ? "\n" : "")), output,
            new Dictionary<string, string?>(environment) { ["HOME"] = Home }, Home);
        var code = command(io);
        return (code, output.ToString());
    }

    /// <summary>Every file under the home with its content, to prove that nothing changed.</summary>
    public Dictionary<string, string> Snapshot() =>
        Directory.Exists(Home)
            ? Directory.EnumerateFiles(Home, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText)
            : [];

    public void Dispose() => Directory.Delete(Home, recursive: true);
}
