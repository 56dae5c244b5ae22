using System.Buffers.Binary;
using System.Text;
using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

public sealed class TarHeaderTests
{
    private static byte[] Header(string name, byte type = TarHeader.FileType, uint mode = 0x81A4, long size = 5, long mtime = 1_700_000_000)
    {
        var block = new byte[TarHeader.BlockSize];
        TarHeader.Write(block, Encoding.UTF8.GetBytes(name), type, mode, size, mtime);
        return block;
    }

    private static string Field(byte[] block, int at, int length) => Encoding.ASCII.GetString(block, at, length);

    [Fact]
    public void A_header_has_the_ustar_layout_with_gnu_magic_owner_0_and_the_permission_bits_only()
    {
        var block = Header("svc/a.txt", mode: 0x81A4 | 0xE00); // S_IFREG | 0644 | setuid, setgid, sticky

        Assert.Equal("svc/a.txt", Encoding.ASCII.GetString(block, 0, 100).TrimEnd('\0'));
        Assert.Equal("0007644\0", Field(block, 100, 8));
        Assert.Equal("0000000\0", Field(block, 108, 8));
        Assert.Equal("0000000\0", Field(block, 116, 8));
        Assert.Equal("00000000005\0", Field(block, 124, 12));
        Assert.Equal(Convert.ToString(1_700_000_000L, 8).PadLeft(11, '0') + "\0", Field(block, 136, 12));
        Assert.Equal((byte)'0', block[156]);
        Assert.Equal("ustar  \0", Field(block, 257, 8));
        Assert.All(block.AsSpan(265, 64).ToArray(), b => Assert.Equal(0, b)); // no user or group name
    }

    [Fact]
    public void The_checksum_is_the_sum_of_the_bytes_with_its_own_field_as_spaces()
    {
        var block = Header("density_map/maps/map.bin", size: 300_000);
        var expected = block.Select((b, i) => i is >= 148 and < 156 ? (int)' ' : b).Sum();

        Assert.Equal(Convert.ToString(expected, 8).PadLeft(6, '0') + "\0 ", Field(block, 148, 8));
        Assert.Equal(expected, TarHeader.Checksum(block));
    }

    [Fact]
    public void Sizes_up_to_8_GiB_less_one_are_octal_and_larger_ones_base_256()
    {
        Assert.Equal("77777777777\0", Field(Header("f", size: TarHeader.MaxOctalSize), 124, 12));

        var big = 10L * 1024 * 1024 * 1024 + 3;
        var field = Header("f", size: big).AsSpan(124, 12);
        Assert.Equal(0x80, field[0]);
        Assert.Equal(0, field[1] | field[2] | field[3]);
        Assert.Equal(big, BinaryPrimitives.ReadInt64BigEndian(field[4..]));
    }

    [Fact]
    public void A_directory_has_its_type_and_a_time_before_1970_is_clamped()
    {
        var block = Header("svc/", TarHeader.DirectoryType, mode: 0x41ED, size: 0, mtime: -5);
        Assert.Equal((byte)'5', block[156]);
        Assert.Equal("0000755\0", Field(block, 100, 8));
        Assert.Equal("00000000000\0", Field(block, 136, 12));
    }

    [Fact]
    public void Only_the_first_100_bytes_of_a_name_are_in_its_header()
    {
        var block = Header("svc/" + new string('n', 200));
        Assert.Equal("svc/" + new string('n', 96), Field(block, 0, 100));
        Assert.Equal("0", Field(block, 100, 1));
    }
}
