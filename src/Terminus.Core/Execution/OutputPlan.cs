namespace Terminus.Core.Execution;

/// <summary>What will go into the tarball, in archive order, its files' bytes, and what was left out and why.</summary>
public sealed record OutputPlan(IReadOnlyList<OutputEntry> Entries, long TotalBytes, IReadOnlyList<OutputLeftOut> LeftOut)
{
    /// <summary>
    /// The plan with a regular file directly in <c>out/</c> at its place in archive order, unless it is listed already:
    /// for <c>job.log</c> when the daemon created it after the listing to say what was left out.
    /// </summary>
    public OutputPlan WithTopLevelFile(RawName name, long size)
    {
        var at = 0;
        for (; at < Entries.Count; at++)
        {
            if (Entries[at].Path.Parent is not null) continue;
            var order = Entries[at].Path.Name.CompareTo(name);
            if (order == 0) return this;
            if (order > 0) break;
        }
        var entries = Entries.ToList();
        entries.Insert(at, new OutputEntry(new RawPath(null, name), OutputKind.File, size));
        return this with { Entries = entries, TotalBytes = TotalBytes + size };
    }
}
