namespace Terminus.Core.Tests.Services;

/// <summary>A throw-away service directory and data directory, deleted after the test.</summary>
internal sealed class ServiceTree : IDisposable
{
    public ServiceTree()
    {
        Root = Directory.CreateTempSubdirectory("terminus-core-").FullName;
        Directory.CreateDirectory(ServiceDir);
        Directory.CreateDirectory(DataDir);
        Interpreter = Path.Combine(Root, "python-fake");
        File.WriteAllText(Interpreter, "");
    }

    public string Root { get; }
    public string ServiceDir => Path.Combine(Root, "services");
    public string DataDir => Path.Combine(Root, "data");
    public string Interpreter { get; }

    public string AddService(string name, string? serviceJson, string extension = ".py")
    {
        var dir = Directory.CreateDirectory(Path.Combine(ServiceDir, name)).FullName;
        File.WriteAllText(Path.Combine(dir, name + extension), "def run(data_path, data_ref, **kw):\n    pass\n");
        if (serviceJson is not null) File.WriteAllText(Path.Combine(dir, "service.json"), serviceJson);
        return dir;
    }

    public string PythonServiceJson(string extra = "") =>
        $$$"""{"job": {"type": "python", "interpreter": "{{{Interpreter}}}"{{{extra}}}}}""";

    public string AddData(string relative) => Directory.CreateDirectory(Path.Combine(DataDir, relative)).FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
