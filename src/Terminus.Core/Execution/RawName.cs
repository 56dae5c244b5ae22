using Terminus.Core.Text;

namespace Terminus.Core.Execution;

/// <summary>
/// One file name as the kernel gives it: bytes, never decoded, because a service may write names that are not UTF-8
/// (Python 2 writes Latin-1) and a decoded name no longer opens the file. Ordered ordinally by its bytes; shown through
/// <see cref="Printable.Name"/>.
/// </summary>
public readonly struct RawName : IComparable<RawName>, IEquatable<RawName>
{
    private readonly byte[] _bytes;

    public RawName(byte[] bytes) => _bytes = bytes;

    public static RawName FromString(string name) => new(System.Text.Encoding.UTF8.GetBytes(name));

    public ReadOnlySpan<byte> Bytes => _bytes;
    public int Length => Bytes.Length;

    public int CompareTo(RawName other) => Bytes.SequenceCompareTo(other.Bytes);
    public bool Equals(RawName other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is RawName other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Printable.Name(Bytes);

    public static bool operator ==(RawName left, RawName right) => left.Equals(right);
    public static bool operator !=(RawName left, RawName right) => !left.Equals(right);
    public static bool operator <(RawName left, RawName right) => left.CompareTo(right) < 0;
    public static bool operator >(RawName left, RawName right) => left.CompareTo(right) > 0;
    public static bool operator <=(RawName left, RawName right) => left.CompareTo(right) <= 0;
    public static bool operator >=(RawName left, RawName right) => left.CompareTo(right) >= 0;
}
