using Terminus.Core.Configuration;

namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>Settings naming a test's directories; the broker is never reached.</summary>
internal static class LabSettings
{
    public static TerminusSettings For(string dataDir, string dotDir, string jobDir, string serviceDir, ExecutionSettings? execution = null) =>
        new("anais", dotDir, dataDir, jobDir, serviceDir, false, "Galactica_storage", 2, 2, new BrokerSettings("127.0.0.1", 5672, "galactica", "u", "p", false))
        {
            Execution = execution ?? ExecutionSettings.Default,
        };
}
