using Akka.Configuration;

namespace Terminus.Actors.Tests;

internal static class TestConfigs
{
    /// <summary>Virtual time: timers fire only when a test advances the <c>TestScheduler</c>.</summary>
    public static readonly Config VirtualTime = ConfigurationFactory.ParseString("""
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.test.timefactor = 3
        akka.loglevel = INFO
        """);
}
