namespace Terminus.Core.Execution;

/// <summary>
/// One 512-byte tar header in GNU's format (the ustar layout, magic <c>"ustar  "</c>), encoded from a name's raw bytes:
/// System.Formats.Tar takes names as strings and cannot write a name that is not UTF-8. Owner and group are 0 and
/// unnamed, so nothing of the server's accounts reaches the user.
/// </summary>
public static class TarHeader
{
    public const int BlockSize = 512;
    public const int NameSize = 100;
    public const byte FileType = (byte)'0';
    public const byte DirectoryType = (byte)'5';
    /// <summary>GNU: the data of this entry is the name of the next one (its header keeps the first 100 bytes).</summary>
    public const byte LongNameType = (byte)'L';
    public static ReadOnlySpan<byte> LongNameEntry => "././@LongLink"u8;

    /// <summary>The largest size that fits the 11 octal digits of ustar (8 GiB - 1); GNU writes larger ones in base-256.</summary>
    public const long MaxOctalSize = (1L << 33) - 1;

    private const int ModeAt = 100, UidAt = 108, GidAt = 116, SizeAt = 124, MtimeAt = 136, ChecksumAt = 148, TypeAt = 156,
        MagicAt = 257, DevMajorAt = 329, DevMinorAt = 337;

    /// <summary>Fills <paramref name="block"/> (512 bytes) with the header of one entry.</summary>
    /// <param name="name">The archive name; only its first 100 bytes fit (a longer one needs a <see cref="LongNameType"/> entry first).</param>
    /// <param name="mode">The permission bits (the file type bits are dropped).</param>
    /// <param name="mtime">Seconds since 1970, clamped to what 11 octal digits hold.</param>
    public static void Write(Span<byte> block, ReadOnlySpan<byte> name, byte type, uint mode, long size, long mtime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        block = block[..BlockSize];
        block.Clear();
        name[..Math.Min(name.Length, NameSize)].CopyTo(block);
        Octal(block.Slice(ModeAt, 8), mode & 0xFFF);
        Octal(block.Slice(UidAt, 8), 0);
        Octal(block.Slice(GidAt, 8), 0);
        if (size <= MaxOctalSize) Octal(block.Slice(SizeAt, 12), size);
        else BaseTwoFiftySix(block.Slice(SizeAt, 12), size);
        Octal(block.Slice(MtimeAt, 12), Math.Clamp(mtime, 0, MaxOctalSize));
        block[TypeAt] = type;
        "ustar  \0"u8.CopyTo(block[MagicAt..]);
        Octal(block.Slice(DevMajorAt, 8), 0);
        Octal(block.Slice(DevMinorAt, 8), 0);
        Octal(block.Slice(ChecksumAt, 7), Checksum(block));
        block[ChecksumAt + 7] = (byte)' ';
    }

    /// <summary>The sum of the header's bytes, its checksum field counted as eight spaces.</summary>
    public static long Checksum(ReadOnlySpan<byte> block)
    {
        long sum = 8 * ' ';
        for (var i = 0; i < BlockSize; i++)
            if (i is < ChecksumAt or >= ChecksumAt + 8) sum += block[i];
        return sum;
    }

    /// <summary>Zero-padded octal digits filling the field but its last byte, which is NUL.</summary>
    private static void Octal(Span<byte> field, long value)
    {
        for (var i = field.Length - 2; i >= 0; i--, value >>= 3) field[i] = (byte)('0' + (value & 7));
        if (value != 0) throw new ArgumentOutOfRangeException(nameof(value), "does not fit its tar header field");
        field[^1] = 0;
    }

    /// <summary>GNU's base-256: a first byte of 0x80, then the value big-endian in the rest of the field.</summary>
    private static void BaseTwoFiftySix(Span<byte> field, long value)
    {
        for (var i = field.Length - 1; i > 0; i--, value >>= 8) field[i] = (byte)value;
        field[0] = 0x80;
    }
}
