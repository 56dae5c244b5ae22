using System.Buffers;

namespace Terminus.Core.Execution;

/// <summary>
/// Writes a tar archive entry by entry to a stream (GNU format, <see cref="TarHeader"/>), names as raw bytes. A file's
/// header carries the size its caller measured, and exactly that many bytes follow, zero-padded if the file gave fewer,
/// so an archive stays well-formed even when a file changes while it is read.
/// </summary>
public sealed class TarStreamWriter(Stream output)
{
    private const int CopyBufferSize = 128 * 1024;
    private readonly byte[] _block = new byte[TarHeader.BlockSize];

    /// <summary>A directory entry; its name gets the trailing '/' tar gives directories.</summary>
    public void WriteDirectory(ReadOnlySpan<byte> name, uint mode, long mtime) =>
        WriteHeader(name.EndsWith("/"u8) ? name : [.. name, (byte)'/'], TarHeader.DirectoryType, mode, 0, mtime);

    /// <summary>A regular file of <paramref name="size"/> bytes, read by <paramref name="read"/>(offset, buffer), which returns 0 at its end.</summary>
    public void WriteFile(ReadOnlySpan<byte> name, uint mode, long mtime, long size, Func<long, Span<byte>, int> read)
    {
        WriteHeader(name, TarHeader.FileType, mode, size, mtime);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long offset = 0;
            while (offset < size)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - offset));
                var n = read(offset, chunk);
                if (n <= 0)
                {
                    chunk.Clear(); // the file shrank: its header's size is kept, the rest is zeros
                    n = chunk.Length;
                }
                output.Write(chunk[..n]);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Pad(size);
    }

    /// <summary>The two zero blocks that end an archive.</summary>
    public void Finish()
    {
        _block.AsSpan().Clear();
        output.Write(_block);
        output.Write(_block);
        output.Flush();
    }

    private void WriteHeader(ReadOnlySpan<byte> name, byte type, uint mode, long size, long mtime)
    {
        if (name.Length > TarHeader.NameSize)
        {
            TarHeader.Write(_block, TarHeader.LongNameEntry, TarHeader.LongNameType, 0, name.Length + 1, 0);
            output.Write(_block);
            output.Write(name);
            output.WriteByte(0);
            Pad(name.Length + 1);
        }
        TarHeader.Write(_block, name, type, mode, size, mtime);
        output.Write(_block);
    }

    private void Pad(long written)
    {
        var rest = (int)(-written & (TarHeader.BlockSize - 1));
        if (rest == 0) return;
        _block.AsSpan().Clear();
        output.Write(_block, 0, rest);
    }
}
