using Akka.Configuration;
using Terminus.Actors.Ledger;
using Terminus.Actors.Tests.Fakes;

namespace Terminus.Actors.Tests;

internal static class TestConfigs
{
    /// <summary>Virtual time: timers fire only when a test advances the <c>TestScheduler</c>.</summary>
    public static readonly Config VirtualTime = ConfigurationFactory.ParseString("""
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.test.timefactor = 3
        akka.loglevel = INFO
        """);

    /// <summary>A ledger of its own (shared across actor systems of the same test) with the real ledger serializer.</summary>
    public static Config Ledger(string store) =>
        SharedMemoryJournal.ConfigFor(store).WithFallback(ConfigurationFactory.ParseString(LedgerStore.SerializerHocon));

    public static Config VirtualTimeWithLedger(string store) => Ledger(store).WithFallback(VirtualTime);
}
