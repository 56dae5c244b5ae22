using System.Net.Sockets;
using System.Runtime.InteropServices;
using Terminus.Core.Execution;
using Terminus.Infrastructure.Storage;

namespace Terminus.Infrastructure.Tests.Storage;

/// <summary>What a hostile or careless service can leave in out/, made the way it would: FIFOs, sockets, hard links, raw names.</summary>
internal static class SpecialFiles
{
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int NativeMkfifo(string path, uint mode);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int NativeLink(string existing, string created);

    public static void Fifo(string path) => Check(NativeMkfifo(path, 0x1A4), path);

    public static void HardLink(string existing, string created) => Check(NativeLink(existing, created), created);

    /// <summary>A bound Unix socket, whose file is there until the socket is disposed (.NET then removes it).</summary>
    public static Socket Socket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>Removes a tree whatever its names (.NET's own recursive delete cannot name a file whose name is not UTF-8).</summary>
    public static void RemoveTree(string path)
    {
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", "--", path]);
        rm.WaitForExit();
    }

    /// <summary>A file whose name is <paramref name="name"/>'s bytes as they are (.NET's own APIs would encode a string).</summary>
    public static void RawNamed(string directory, byte[] name, byte[] content)
    {
        using var dir = DirectoryHandle.Open(directory);
        using var file = dir.TryOpenForAppend(new RawName(name), out var errno) ?? throw new IOException($"errno {errno}");
        DirectoryHandle.WriteAll(file, content);
    }

    private static void Check(int result, string path)
    {
        if (result != 0) throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }
}
