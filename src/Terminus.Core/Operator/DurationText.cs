using System.Globalization;

namespace Terminus.Core.Operator;

/// <summary>Durations as an operator types them: <c>90s</c>, <c>30m</c>, <c>2h</c>, <c>7d</c> (a number and one unit).</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var t = text.Trim().ToLowerInvariant();
        if (t.Length < 2) return false;
        Func<double, TimeSpan>? unit = t[^1] switch
        {
            's' => TimeSpan.FromSeconds,
            'm' => TimeSpan.FromMinutes,
            'h' => TimeSpan.FromHours,
            'd' => TimeSpan.FromDays,
            'w' => d => TimeSpan.FromDays(7 * d),
            _ => null,
        };
        if (unit is null || !double.TryParse(t[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n < 0 || n > 3650 * 24 * 3600)
            return false;
        duration = unit(n);
        return true;
    }

    /// <summary>A short age: <c>42s</c>, <c>5m</c>, <c>3h</c>, <c>2d</c>.</summary>
    public static string Age(TimeSpan t) =>
        t.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalDays:0}d")
        : t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0}h")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0}m")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalSeconds):0}s");
}
