using System.Globalization;

namespace Terminus.Core.Operator;

/// <summary>One sample of a Prometheus text exposition: a name, its labels and its value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>
    /// The samples of a text exposition (version 0.0.4). Comments and lines that do not parse are skipped: the reader
    /// only looks for the daemon's own metrics, and a line it cannot read must not hide the others.
    /// </summary>
    public static IReadOnlyList<MetricSample> Parse(string exposition)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (TryParseLine(line) is { } sample) samples.Add(sample);
        }
        return samples;
    }

    private static MetricSample? TryParseLine(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        if (space < 0) return null;
        string name;
        string rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            var i = brace + 1;
            while (i < line.Length && line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"') return null;
                var key = line[i..eq].Trim().TrimStart(',').Trim();
                var value = new System.Text.StringBuilder();
                var j = eq + 2;
                for (; j < line.Length && line[j] != '"'; j++)
                {
                    if (line[j] == '\\' && j + 1 < line.Length) value.Append(line[++j] switch { 'n' => '\n', var c => c });
                    else value.Append(line[j]);
                }
                if (j >= line.Length) return null;
                labels[key] = value.ToString();
                i = j + 1;
                while (i < line.Length && line[i] is ',' or ' ') i++;
            }
            if (i >= line.Length) return null;
            rest = line[(i + 1)..].Trim();
        }
        else
        {
            name = line[..space];
            rest = line[(space + 1)..].Trim();
        }
        var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (valueText is null) return null;
        double parsed;
        if (valueText is "+Inf") parsed = double.PositiveInfinity;
        else if (valueText is "-Inf") parsed = double.NegativeInfinity;
        else if (valueText is "NaN") parsed = double.NaN;
        else if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out parsed)) return null;
        return new MetricSample(name, labels, parsed);
    }
}
