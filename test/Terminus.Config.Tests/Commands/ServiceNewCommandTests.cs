using Terminus.Config.Cli;
using System.Diagnostics;
using Terminus.Config.Commands;
using Terminus.Core.Services;

namespace Terminus.Config.Tests.Commands;

public sealed class ServiceNewCommandTests : IDisposable
{
    private readonly OperatorHome _home = new();
    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task A_new_python_service_is_valid_and_runs_as_it_is()
    {
        var services = _home.MakeDir("services");
        var (code, output) = _home.Run(io => TerminusCli.Run(io, ["service", "new", "my-map", "--service-dir", services]));
        Assert.True(code == 0, output);
        var found = Assert.IsType<ServiceFound>(new ServiceCatalog(services).Find("my-map"));
        Assert.Equal((ServiceType.Python, 16, 30), (found.Service.Type, found.Service.Cores, found.Service.TimeoutMinutes));

        // As the runner calls it: run(data_path, data_ref, test=True) in a job directory with out/.
        var snapshot = Directory.CreateDirectory(Path.Combine(_home.Home, "sim", "output_00003")).FullName;
        File.WriteAllText(Path.Combine(snapshot, "particles.csv"), "x");
        var job = Directory.CreateDirectory(Path.Combine(_home.Home, "job", "out")).Parent!.FullName;
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", $"import importlib.util as u; s = u.spec_from_file_location('m', '{found.Service.ScriptPath}'); m = u.module_from_spec(s); s.loader.exec_module(m); m.run('{Path.GetDirectoryName(snapshot)}', '3', test=True, npix=8)"])
        { WorkingDirectory = job, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, err);
        Assert.Contains("particles.csv", File.ReadAllText(Path.Combine(job, "out", "my-map.txt")));
    }

    [Fact]
    public void A_bash_service_and_the_refusals()
    {
        var services = _home.MakeDir("services");
        Assert.Equal(0, _home.Run(io => TerminusCli.Run(io, ["service", "new", "hello", "--type", "bash", "--service-dir", services])).Code);
        Assert.Equal(ServiceType.Bash, Assert.IsType<ServiceFound>(new ServiceCatalog(services).Find("hello")).Service.Type);
        Assert.Equal(73, _home.Run(io => TerminusCli.Run(io, ["service", "new", "hello", "--service-dir", services])).Code);
        Assert.Equal(64, _home.Run(io => TerminusCli.Run(io, ["service", "new", "../evil", "--service-dir", services])).Code);
        Assert.Equal(64, _home.Run(io => TerminusCli.Run(io, ["service", "new", "x", "--interpreter", "/no/python", "--service-dir", services])).Code);
        Assert.Equal(["hello"], Directory.GetDirectories(services).Select(Path.GetFileName)); // nothing else was made
    }
}
