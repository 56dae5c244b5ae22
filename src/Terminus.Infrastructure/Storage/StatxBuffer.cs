using System.Runtime.InteropServices;
using Terminus.Core.Execution;

namespace Terminus.Infrastructure.Storage;

/// <summary>
/// The kernel's <c>struct statx</c> (256 bytes), of which only the fields we read are declared. Unlike <c>struct stat</c>,
/// its layout is the same on every 64-bit architecture, so one declaration serves x86_64 and aarch64.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    [FieldOffset(16)] public uint Links;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(40)] public ulong Size;
    [FieldOffset(112)] public long ModifiedSeconds; // stx_mtime.tv_sec

    public readonly FileStatus ToStatus() =>
        new(OutputRules.KindOf(Mode), Mode & 0xFFFu, Links, (long)Math.Min(Size, long.MaxValue), ModifiedSeconds);
}
