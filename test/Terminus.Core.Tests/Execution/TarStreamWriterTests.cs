using System.Formats.Tar;
using System.Text;
using Terminus.Core.Execution;

namespace Terminus.Core.Tests.Execution;

/// <summary>Our writer's archives read back by .NET's own tar reader (GNU tar and Python read them in the integration tests).</summary>
public sealed class TarStreamWriterTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static Func<long, Span<byte>, int> From(byte[] content) => (offset, buffer) =>
    {
        var n = (int)Math.Min(buffer.Length, Math.Max(0, content.Length - offset));
        content.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    };

    private static List<(TarEntryType Type, string Name, UnixFileMode Mode, DateTimeOffset Mtime, byte[] Data)> Read(byte[] archive)
    {
        var entries = new List<(TarEntryType, string, UnixFileMode, DateTimeOffset, byte[])>();
        using var reader = new TarReader(new MemoryStream(archive));
        while (reader.GetNextEntry() is { } e)
        {
            var data = new MemoryStream();
            e.DataStream?.CopyTo(data);
            entries.Add((e.EntryType, e.Name, e.Mode, e.ModificationTime, data.ToArray()));
        }
        return entries;
    }

    [Fact]
    public void Directories_files_and_long_names_are_read_back_whole_and_the_archive_ends_with_two_zero_blocks()
    {
        var archive = new MemoryStream();
        var tar = new TarStreamWriter(archive);
        var longName = "svc/" + string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 8)) + "/result.bin";
        var payload = new byte[200_000];
        Random.Shared.NextBytes(payload);
        tar.WriteDirectory(Bytes("svc"), 0x1ED, 1_700_000_000);
        tar.WriteFile(Bytes("svc/a.txt"), 0x1A4, 1_700_000_001, 3, From(Bytes("abc")));
        tar.WriteFile(Bytes(longName), 0x180, 1_700_000_002, payload.Length, From(payload));
        tar.WriteFile(Bytes("svc/empty"), 0x1A4, 0, 0, From([]));
        tar.Finish();

        var bytes = archive.ToArray();
        Assert.Equal(0, bytes.Length % 512);
        Assert.All(bytes[^1024..], b => Assert.Equal(0, b));
        var entries = Read(bytes);
        Assert.Equal(["svc/", "svc/a.txt", longName, "svc/empty"], entries.Select(e => e.Name));
        Assert.Equal(TarEntryType.Directory, entries[0].Type);
        Assert.Equal((UnixFileMode)0x1ED, entries[0].Mode);
        Assert.Equal("abc", Encoding.UTF8.GetString(entries[1].Data));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_001), entries[1].Mtime);
        Assert.Equal(payload, entries[2].Data);
        Assert.Equal((UnixFileMode)0x180, entries[2].Mode);
        Assert.Empty(entries[3].Data);
    }

    [Fact]
    public void A_name_of_exactly_100_bytes_needs_no_long_name_entry()
    {
        var archive = new MemoryStream();
        var tar = new TarStreamWriter(archive);
        tar.WriteFile(Bytes(new string('x', 100)), 0x1A4, 0, 1, From("1"u8.ToArray()));
        tar.Finish();
        Assert.Equal(512 * 4, archive.Length);
        Assert.Equal(new string('x', 100), Read(archive.ToArray()).Single().Name);
    }

    [Fact]
    public void A_file_that_shrank_is_zero_padded_and_one_that_grew_is_cut_to_the_size_in_its_header()
    {
        var archive = new MemoryStream();
        var tar = new TarStreamWriter(archive);
        tar.WriteFile(Bytes("svc/shrank"), 0x1A4, 0, 6, From(Bytes("abc")));
        tar.WriteFile(Bytes("svc/grew"), 0x1A4, 0, 2, From(Bytes("abcdef")));
        tar.Finish();

        var entries = Read(archive.ToArray());
        Assert.Equal("abc\0\0\0"u8.ToArray(), entries[0].Data);
        Assert.Equal("ab"u8.ToArray(), entries[1].Data);
    }
}
