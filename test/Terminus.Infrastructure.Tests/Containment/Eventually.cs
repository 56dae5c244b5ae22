using System.Diagnostics;

namespace Terminus.Infrastructure.Tests.Containment;

/// <summary>Polls the asserted condition until it holds, with a generous limit, instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task True(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Limit, $"not within {Limit.TotalSeconds:0} s: {what}");
            await Task.Delay(10);
        }
    }
}
