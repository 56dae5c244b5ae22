using System.Runtime.InteropServices;

namespace Terminus.Infrastructure.Sandbox;

/// <summary>realpath(3): every link resolved, so that the sandbox's nesting rules compare what the kernel will mount.</summary>
internal static partial class RealPath
{
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint NativeRealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>The canonical path, or null when it does not exist (or cannot be reached).</summary>
    public static string? Of(string path)
    {
        var resolved = NativeRealPath(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { Free(resolved); }
    }
}
