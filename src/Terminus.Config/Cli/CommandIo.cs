using System.Collections;

namespace Terminus.Config.Cli;

/// <summary>What a command talks to: its input and output, the environment and the home directory (tests pass their own).</summary>
public sealed record CommandIo(TextReader In, TextWriter Out, IReadOnlyDictionary<string, string?> Environment, string Home)
{
    public static CommandIo FromConsole()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables()) env[(string)e.Key] = e.Value as string;
        var home = env.GetValueOrDefault("HOME") is { Length: > 0 } h ? h : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        return new CommandIo(Console.In, Console.Out, env, home);
    }

    /// <summary>The dot dir as the daemon finds it: TERMINUS_DOT_DIR, else ~/.terminus.</summary>
    public string DotDir(string? overridden = null) =>
        Path.GetFullPath(overridden ?? (Environment.GetValueOrDefault("TERMINUS_DOT_DIR") is { Length: > 0 } d && d != "__empty__"
            ? Core.Configuration.SettingsLoader.ExpandPath(d, Home) ?? Path.Combine(Home, ".terminus")
            : Path.Combine(Home, ".terminus")));

    /// <summary>Reads a line; null at the end of the input (Ctrl-D), which every command takes as "cancel".</summary>
    public string? Ask(string prompt)
    {
        Out.Write(prompt);
        Out.Flush();
        return In.ReadLine();
    }
}

/// <summary>The input ended (Ctrl-D) or was interrupted: nothing is written.</summary>
public sealed class CancelledException : Exception
{
    public CancelledException() : base("cancelled") { }
}

/// <summary>Options of the form <c>--name value</c> and <c>--flag</c>, plus positional arguments.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = new();

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--") { Positional.Add(a); continue; }
            var eq = a.IndexOf('=');
            if (eq > 0) _options[a[2..eq]] = a[(eq + 1)..];
            else if (flags.Contains(a[2..])) _options[a[2..]] = null;
            else _options[a[2..]] = e.MoveNext() ? e.Current : throw new ArgumentException($"option {a} needs a value");
        }
    }

    public bool Flag(string name) { _used.Add(name); return _options.ContainsKey(name); }

    public string? Value(string name) { _used.Add(name); return _options.GetValueOrDefault(name); }

    /// <summary>Options given that no one asked for: a typo the operator should hear about.</summary>
    public IEnumerable<string> Unknown => _options.Keys.Where(k => !_used.Contains(k));
}
