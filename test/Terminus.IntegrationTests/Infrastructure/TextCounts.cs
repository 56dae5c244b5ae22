namespace Terminus.IntegrationTests.Infrastructure;

internal static class TextCounts
{
    /// <summary>How many times <paramref name="part"/> appears in <paramref name="text"/> (a daemon's output, say).</summary>
    public static int Occurrences(this string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
