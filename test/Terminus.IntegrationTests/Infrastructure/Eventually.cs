namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>Waits for the very thing a test asserts on (a file, a directory, a value), with a generous bound.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? DefaultWithin;
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not true within {limit.TotalSeconds:0} s: {what}");
            await Task.Delay(50);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? DefaultWithin;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not true within {limit.TotalSeconds:0} s: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>The value once <paramref name="read"/> gives one (it returns null until then, and may throw IOException meanwhile).</summary>
    public static async Task<T> ValueAsync<T>(Func<T?> read, string what, TimeSpan? within = null) where T : struct
    {
        T? value = null;
        await TrueAsync(() =>
        {
            try { value = read(); }
            catch (IOException) { value = null; }
            return value is not null;
        }, what, within);
        return value!.Value;
    }
}
