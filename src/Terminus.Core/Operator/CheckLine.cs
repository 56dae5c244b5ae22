namespace Terminus.Core.Operator;

/// <summary>
/// One line of <c>terminus check</c>: <c>[ ok ] what: detail</c>, <c>[warn] …</c> or <c>[FAIL] …</c>. The daemon's
/// broker check prints the same lines, which the command reads back, so the form is defined here once.
/// </summary>
public static class CheckLine
{
    private static readonly (CheckVerdict Verdict, string Tag)[] Tags = [(CheckVerdict.Ok, "[ ok ]"), (CheckVerdict.Warn, "[warn]"), (CheckVerdict.Fail, "[FAIL]")];

    public static string Format(CheckVerdict verdict, string what, string detail) =>
        $"{Tags.Single(t => t.Verdict == verdict).Tag} {what}: {detail}";

    /// <summary>The verdict of a check line, or null for any other line.</summary>
    public static CheckVerdict? VerdictOf(string line) =>
        Tags.Where(t => line.StartsWith(t.Tag, StringComparison.Ordinal)).Select(t => (CheckVerdict?)t.Verdict).FirstOrDefault();
}
