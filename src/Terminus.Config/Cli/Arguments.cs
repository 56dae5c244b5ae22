using System.Diagnostics.CodeAnalysis;

namespace Terminus.Config.Cli;

/// <summary>
/// Options of the form <c>--name value</c>, <c>--name=value</c> and <c>--flag</c>, plus positional arguments (all
/// after <c>--</c>). A value never starts with <c>--</c> (write <c>--name=--x</c> for that), so that a misspelt
/// flag is reported as unknown instead of swallowing the next option.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _withoutValue = new();

    public List<string> Positional { get; } = new();

    public Arguments(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        var optionsEnded = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--" && !optionsEnded) { optionsEnded = true; continue; }
            if (optionsEnded || !a.StartsWith("--", StringComparison.Ordinal)) { Positional.Add(a); continue; }
            var eq = a.IndexOf('=');
            var name = eq > 0 ? a[2..eq] : a[2..];
            if (eq > 0) _options[name] = a[(eq + 1)..];
            else if (flags.Contains(name)) _options[name] = null;
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) _options[name] = args[++i];
            else { _options[name] = null; _withoutValue.Add(name); }
        }
    }

    public bool Flag(string name) { _used.Add(name); return _options.ContainsKey(name); }

    /// <summary>The option's value, or null when it was not given (or given without a value: see <see cref="Problem"/>).</summary>
    public string? Value(string name) { _used.Add(name); return _options.GetValueOrDefault(name); }

    /// <summary>Options given that no one asked for: a typo the operator should hear about.</summary>
    public IEnumerable<string> Unknown => _options.Keys.Where(k => !_used.Contains(k));

    /// <summary>Options that take a value, given without one.</summary>
    public IEnumerable<string> WithoutValue => _withoutValue.Where(_used.Contains);

    /// <summary>
    /// Reads a command's arguments (<c>--help</c> is always a flag). False for <c>--help</c>, after printing the usage:
    /// the command ends there with exit code 0.
    /// </summary>
    public static bool TryParse(IReadOnlyList<string> args, IReadOnlySet<string> flags, string usage, TextWriter output,
        [NotNullWhen(true)] out Arguments? parsed)
    {
        parsed = new Arguments(args, flags.Append("help").ToHashSet(StringComparer.Ordinal));
        if (!parsed.Flag("help")) return true;
        output.WriteLine(usage);
        parsed = null;
        return false;
    }

    /// <summary>
    /// Once every option was read: what is wrong with the command line (an option no one asked for, one without its
    /// value), as an error with the usage; null when nothing is.
    /// </summary>
    public string? Problem(string command, string usage) =>
        Unknown.FirstOrDefault() is { } unknown ? $"{command}: unknown option --{unknown}\n{usage}"
        : WithoutValue.FirstOrDefault() is { } bare ? $"{command}: option --{bare} needs a value\n{usage}"
        : null;
}
