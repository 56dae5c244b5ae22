using Terminus.Config.Cli;
using Terminus.Core.Configuration;
using Terminus.Core.Operator;
using Terminus.Core;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus datasource &lt;file.json&gt;</c> (alias <c>terminus_datasource_cfg</c>): the portal's datasource file
/// (0.7's schema, see <see cref="Terminus.Core.Operator.DatasourceDefinition"/>) becomes category/project/simulation directories under the data directory and one
/// symlink per snapshot (named like the snapshot directory, which is the portal's <c>data_ref</c>). Aliases must be
/// single safe directory names; a missing target or a real directory in a link's place is reported, never a crash;
/// a link that changed is replaced after asking (default yes), or per <c>--yes</c>/<c>--no</c>. <c>--dry-run</c>
/// changes nothing. <c>terminus.env</c> is only read (0.7 overwrote it with its template).
/// </summary>
public sealed class DatasourceCommand(CommandIo io)
{
    public int Run(string file, bool yes, bool no, bool dryRun, string? dataDirOption)
    {
        if (yes && no)
        {
            io.Out.WriteLine("terminus datasource: give --yes or --no, not both");
            return ExitCodes.Usage;
        }
        io.Out.WriteLine("\n# ~~~~~~~~~~~~~~~~~~~~ Terminus datasource directory definitions ~~~~~~~~~~~~~~~~~~~~ #\n");
        if (!File.Exists(file)) { io.Out.WriteLine($"Error : cannot find file '{file}' !"); return 1; }

        var dataDir = dataDirOption is not null ? SettingsLoader.ExpandPath(dataDirOption, io.Home) : io.PathSetting(s => s.DataDir, "TERMINUS_DATA_DIR");
        if (dataDir is null)
        {
            io.Out.WriteLine($"Error : no TERMINUS_DATA_DIR in the environment or in {SettingsLoader.EnvFileFor(io.DotDir())}: run `terminus config` first, or give --data-dir.");
            return ExitCodes.Config;
        }
        if (!Directory.Exists(dataDir)) { io.Out.WriteLine($"Error : the data directory '{dataDir}' does not exist."); return ExitCodes.Config; }

        var (definition, errors) = DatasourceDefinition.Parse(File.ReadAllText(file));
        if (definition is null)
        {
            foreach (var e in errors) io.Out.WriteLine($"Error : {e}");
            io.Out.WriteLine("Nothing was changed.");
            return 1;
        }

        var plan = DatasourcePlan.For(dataDir, definition);
        var problems = 0;
        var prefix = dryRun ? "[dry run] " : "";
        string[] labels = ["Project category directory", " -> Project directory", "     * Simulation directory"];
        for (var i = 0; i < plan.Directories.Count; i++)
        {
            var (path, exists) = plan.Directories[i];
            var label = labels[Math.Min(i, 2)];
            if (exists) { io.Out.WriteLine($"{prefix}{label} '{path}' already exists."); continue; }
            if (!dryRun) Directory.CreateDirectory(path);
            io.Out.WriteLine($"{prefix}{label} '{path}' {(dryRun ? "would be created" : "created")}.");
        }

        bool? always = yes ? true : no ? false : null;
        foreach (var link in plan.Links)
        {
            switch (link.State)
            {
                case LinkState.Unchanged:
                    io.Out.WriteLine($"{prefix}        - Snapshot data symbolic link unchanged : '{link.LinkPath}' => '{link.Target}'");
                    break;
                case LinkState.TargetMissing:
                    problems++;
                    io.Out.WriteLine($"{prefix}        ! Directory path '{link.Target}' cannot be found ! (no link made for '{link.LinkPath}')");
                    break;
                case LinkState.BlockedByRealEntry:
                    problems++;
                    io.Out.WriteLine($"{prefix}        ! '{link.LinkPath}' is a real directory or file, not a link: left as it is (move it away to link '{link.Target}')");
                    break;
                case LinkState.Create:
                    if (!dryRun) Directory.CreateSymbolicLink(link.LinkPath, link.Target);
                    io.Out.WriteLine($"{prefix}        - {(dryRun ? "Would create" : "Created")} snapshot data symbolic link : '{link.LinkPath}' => '{link.Target}'.");
                    break;
                case LinkState.Changed:
                    var replace = always ?? Ask(link, ref always);
                    if (replace is null) { io.Out.WriteLine("Quit: the remaining links were left as they are."); return problems > 0 ? 1 : 0; }
                    if (replace == false) { io.Out.WriteLine($"{prefix}          -> Kept '{link.LinkPath}' => '{link.CurrentTarget}'."); break; }
                    if (!dryRun)
                    {
                        File.Delete(link.LinkPath);
                        Directory.CreateSymbolicLink(link.LinkPath, link.Target);
                    }
                    io.Out.WriteLine($"{prefix}          -> {(dryRun ? "Would replace" : "Replaced")} deprecated snapshot data symbolic link : '{link.LinkPath}' => '{link.CurrentTarget}' by '{link.Target}'.");
                    break;
            }
        }
        io.Out.WriteLine(problems > 0 ? $"\nDone, with {problems} problem(s) above." : "\nDone...");
        return problems > 0 ? 1 : 0;
    }

    /// <summary>0.7's question, with a default that works: y yes, n no, a yes to all, x no to all, q quit (null).</summary>
    private bool? Ask(PlannedLink link, ref bool? always)
    {
        while (true)
        {
            var answer = io.Ask($"        - Snapshot data symlink '{link.LinkPath}' has changed:\n            + old target : '{link.CurrentTarget}'.\n" +
                                $"            + new target : '{link.Target}'.\n          Overwrite (y='yes', n='no', a='yes to all', x='no to all', q='quit') [Y] ? ");
            switch (answer?.Trim().ToLowerInvariant())
            {
                case null or "q": return null;
                case "" or "y" or "yes": return true;
                case "n" or "no": return false;
                case "a": always = true; return true;
                case "x": always = false; return false;
                default: io.Out.WriteLine("Invalid option"); break;
            }
        }
    }
}
