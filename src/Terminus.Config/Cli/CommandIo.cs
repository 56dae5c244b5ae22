namespace Terminus.Config.Cli;

/// <summary>What a command talks to: its input and output, the environment and the home directory (tests pass their own).</summary>
public sealed record CommandIo(TextReader In, TextWriter Out, IReadOnlyDictionary<string, string?> Environment, string Home)
{
    public static CommandIo FromConsole()
    {
        var env = Core.Configuration.SettingsLoader.ProcessEnvironment();
        var home = env.GetValueOrDefault("HOME") is { Length: > 0 } h ? h : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        return new CommandIo(Console.In, Console.Out, env, home);
    }

    /// <summary>The dot dir as the daemon finds it: TERMINUS_DOT_DIR, else ~/.terminus.</summary>
    public string DotDir(string? overridden = null) =>
        Path.GetFullPath(overridden ?? (Environment.GetValueOrDefault("TERMINUS_DOT_DIR") is { Length: > 0 } d && d != "__empty__"
            ? Core.Configuration.SettingsLoader.ExpandPath(d, Home) ?? Path.Combine(Home, ".terminus")
            : Path.Combine(Home, ".terminus")));

    /// <summary>
    /// A path setting for a command that needs only that one: from the whole configuration when it loads, else read
    /// on its own from <c>terminus.env</c> (the rest may still be incomplete); null when neither has it.
    /// </summary>
    public string? PathSetting(Func<Core.Configuration.TerminusSettings, string> fromSettings, string key)
    {
        if (Core.Configuration.SettingsLoader.Load(Environment, Home).Settings is { } settings) return fromSettings(settings);
        var file = Core.Configuration.SettingsLoader.EnvFileFor(DotDir());
        return File.Exists(file) && Core.Configuration.EnvFile.Parse(File.ReadAllText(file)).TryGetValue(key, out var value)
            ? Core.Configuration.SettingsLoader.ExpandPath(value, Home) ?? value
            : null;
    }

    /// <summary>Reads a line; null at the end of the input (Ctrl-D), which every command takes as "cancel".</summary>
    public string? Ask(string prompt)
    {
        Out.Write(prompt);
        Out.Flush();
        return In.ReadLine();
    }
}
