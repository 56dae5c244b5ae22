namespace Terminus.Core.Execution;

/// <summary>
/// Where an entry is below <c>out/</c>: its raw name and its parent's path (null at the top), shared by all the entries of
/// a directory, so a walk of many files keeps one small object per entry and never a decoded path.
/// </summary>
public sealed class RawPath(RawPath? parent, RawName name)
{
    public RawPath? Parent { get; } = parent;
    public RawName Name { get; } = name;
    public int Depth { get; } = parent is null ? 1 : parent.Depth + 1;

    /// <summary>The names from the top joined by '/', after <paramref name="prefix"/> (e.g. the archive root and '/').</summary>
    public byte[] ToBytes(ReadOnlySpan<byte> prefix = default)
    {
        var length = prefix.Length + Name.Length;
        for (var p = Parent; p is not null; p = p.Parent) length += p.Name.Length + 1;
        var bytes = new byte[length];
        prefix.CopyTo(bytes);
        var end = length;
        for (var p = this; p is not null; p = p.Parent)
        {
            end -= p.Name.Length;
            p.Name.Bytes.CopyTo(bytes.AsSpan(end));
            if (p.Parent is not null) bytes[--end] = (byte)'/';
        }
        return bytes;
    }

    /// <summary>True when this path is <paramref name="ancestor"/> or below it.</summary>
    public bool IsWithin(RawPath ancestor)
    {
        for (var p = this; p is not null; p = p.Parent)
            if (ReferenceEquals(p, ancestor)) return true;
        return false;
    }

    /// <summary>The printable form, as <c>out/</c> shows it to the lab's user: <c>out/sub/caf\xe9.txt</c>.</summary>
    public override string ToString() => Text.Printable.Name(ToBytes("out/"u8));
}
