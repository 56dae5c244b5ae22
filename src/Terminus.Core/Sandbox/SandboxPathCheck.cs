namespace Terminus.Core.Sandbox;

/// <summary>
/// The only paths the sandbox takes: absolute and spelled once (no empty, "." or ".." segment, no trailing '/'), not
/// '/' itself (a rule over the whole file system is no sandbox), no control character. bwrap would take most others,
/// but nesting is decided on the strings, which must then mean what they say.
/// </summary>
public static class SandboxPathCheck
{
    /// <summary>What is wrong with the path, or null.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0) return "it is empty";
        if (path[0] != '/') return "it is not absolute";
        if (path == "/") return "it is the root of the file system";
        if (path.Any(char.IsControl)) return "it holds a control character";
        if (path.EndsWith('/')) return "it ends with '/'";
        if (path[1..].Split('/').Any(s => s is "" or "." or "..")) return "it holds an empty, '.' or '..' segment";
        return null;
    }

    /// <summary>Whether <paramref name="path"/> lies strictly inside <paramref name="ancestor"/> (both checked paths).</summary>
    public static bool IsInside(string path, string ancestor) =>
        path.Length > ancestor.Length + 1 && path.StartsWith(ancestor, StringComparison.Ordinal) && path[ancestor.Length] == '/';
}
