namespace Terminus.Actors.Execution;

/// <summary>The fixed job runner (<c>terminus_runner.py</c>), shipped inside this assembly and copied into each job directory.</summary>
public static class RunnerScript
{
    private static readonly Lazy<byte[]> Content = new(() =>
    {
        using var stream = typeof(RunnerScript).Assembly.GetManifestResourceStream("terminus_runner.py")
            ?? throw new InvalidOperationException("terminus_runner.py is not embedded in Terminus.Actors");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static byte[] Bytes => Content.Value;
}
