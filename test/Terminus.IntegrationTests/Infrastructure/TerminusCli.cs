namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>The operator's command <c>terminus</c>, as built beside the tests, run in a site's environment.</summary>
internal static class TerminusCli
{
    public static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "terminus.dll");

    public static Task<ProcessRunner.Result> RunAsync(IDictionary<string, string> environment, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, .. args], TimeSpan.FromSeconds(120), environment);
}
