using Terminus.Config.Cli;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Text;
using Terminus.Core;

namespace Terminus.Config.Commands;

/// <summary>
/// <c>terminus service new &lt;name&gt;</c>: a new service directory from 0.7's templates (service_template.py and the
/// python/bash service.json), runnable at once: in test mode it lists the snapshot into <c>out/</c>.
/// </summary>
public sealed class ServiceNewCommand(CommandIo io)
{
    public int Run(string name, string type, string? interpreterOption, string? dirOption)
    {
        if (!PathRules.IsSafeSegment(name))
        {
            io.Out.WriteLine($"terminus service: '{Printable.Line(name)}' cannot be a service name: one directory name of letters, digits, '_', '-', '.'");
            return ExitCodes.Usage;
        }
        var serviceDir = dirOption ?? ServiceDirFromConfiguration();
        if (serviceDir is null) return ExitCodes.Config;
        var interpreter = interpreterOption ?? (type == "bash" ? "/bin/bash" : "/usr/bin/python3");
        if (!File.Exists(interpreter)) { io.Out.WriteLine($"terminus service: the interpreter '{interpreter}' does not exist (give --interpreter)"); return ExitCodes.Usage; }

        var dir = Path.Combine(serviceDir, name);
        if (Directory.Exists(dir)) { io.Out.WriteLine($"terminus service: '{dir}' already exists: nothing was changed"); return ExitCodes.CantCreate; }
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, name + (type == "bash" ? ".sh" : ".py"));
        File.WriteAllText(script, type == "bash" ? BashTemplate(name) : PythonTemplate(name));
        File.WriteAllText(Path.Combine(dir, "service.json"),
            $$$"""{"job": {"type": "{{{type}}}", "interpreter": "{{{interpreter}}}", "n_nodes": 1, "n_cores": 16, "timout_mn": 30}}""" + "\n");
        io.Out.WriteLine($"Created service '{name}' in {dir}:\n  {script}\n  {Path.Combine(dir, "service.json")}");
        io.Out.WriteLine("It runs as it is (it lists the snapshot into out/); put your processing into it and adjust service.json (n_nodes, n_cores, timout_mn).");
        return 0;
    }

    private string? ServiceDirFromConfiguration()
    {
        var loaded = SettingsLoader.Load(io.Environment, io.Home);
        if (loaded.Settings is { } s) return s.ServiceDir;
        var file = SettingsLoader.EnvFileFor(io.DotDir());
        if (File.Exists(file) && EnvFile.Parse(File.ReadAllText(file)).TryGetValue("TERMINUS_SERVICE_DIR", out var d)) return SettingsLoader.ExpandPath(d, io.Home);
        io.Out.WriteLine("terminus service: no TERMINUS_SERVICE_DIR configured: run `terminus config` first, or give --service-dir");
        return null;
    }

    private static string PythonTemplate(string name) => $$"""
        # -*- coding: utf-8 -*-
        # {{name}}: a Terminus post-processing service (Python 2.7 or 3.x), from `terminus service new`.
        # Terminus calls run() with the job directory as the current directory; results go to out/, which is
        # packed into the tarball the portal's user downloads. An exception fails the job with its message.
        from __future__ import print_function
        import os
        import re


        def parse_data_ref(data_path, data_ref):
            # 'output_00012', '12' or 'output_00012;BIG' -> the snapshot directory
            ref = data_ref.split(";", 1)[0].strip()
            if re.match(r"^[0-9]{1,5}$", ref):
                ref = "output_%05d" % int(ref)
            snapshot = os.path.join(data_path, ref)
            if not os.path.isdir(snapshot):
                raise IOError("snapshot '%s' not found" % ref)
            return snapshot


        def run(data_path, data_ref, test=False, **kwargs):
            snapshot = parse_data_ref(data_path, data_ref)
            with open(os.path.join("out", "{{name}}.txt"), "w") as out:
                out.write("snapshot %s, parameters %r, test mode %r\n" % (data_ref, sorted(kwargs.items()), test))
                for entry in sorted(os.listdir(snapshot)):
                    out.write("%s\n" % entry)

        """;

    private static string BashTemplate(string name) => $$"""
        #!/bin/bash
        # {{name}}: a Terminus post-processing service (bash), from `terminus service new`.
        # Called as: {{name}}.sh <data_path> <data_ref>, in the job directory; also TERMINUS_DATA_PATH, TERMINUS_DATA_REF,
        # TERMINUS_TEST (1/0) and TERMINUS_PARAMS_FILE (a JSON object). Results go to out/. A non-zero exit fails the job
        # with the last line written to stderr.
        set -euo pipefail
        snap="${2%%;*}"
        [ -d "$1/$snap" ] || { echo "snapshot '$snap' not found" >&2; exit 2; }
        { echo "snapshot $2, test mode $TERMINUS_TEST"; cat "$TERMINUS_PARAMS_FILE"; echo; ls "$1/$snap"; } > out/{{name}}.txt

        """;
}
