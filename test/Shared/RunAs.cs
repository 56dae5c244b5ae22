namespace Terminus.TestSupport;

/// <summary>
/// Command prefixes that run what follows as someone else (the tests run as root). Shared by the Infrastructure tests
/// (bwrap's detection) and the integration tests (the daemon itself), linked into both projects.
/// </summary>
internal static class RunAs
{
    public const int NobodyUid = 65534;

    public const string MaxUserNamespaces = "/proc/sys/user/max_user_namespaces";

    /// <summary>uid and gid 65534, no supplementary group: an unprivileged lab user.</summary>
    public static readonly IReadOnlyList<string> Nobody = ["setpriv", $"--reuid={NobodyUid}", $"--regid={NobodyUid}", "--clear-groups"];

    /// <summary>A user namespace of its own whose <c>user.max_user_namespaces</c> is 0: a host where they are off.</summary>
    public static readonly IReadOnlyList<string> UserNamespacesOff = UserNamespace(namespacesOff: true);

    /// <summary>
    /// Runs the rest in a user namespace of its own (every id mapped to itself), whose <c>user.max_user_namespaces</c>
    /// is 0 when <paramref name="namespacesOff"/>: a host where user namespaces are off, as seen from inside, without
    /// changing the host's own limit (which other test runs on this machine share, and which a container may not even
    /// let root write). The namespace's root may still write the limit (later, too: <see cref="TurnUserNamespacesOff"/>);
    /// the map is written from outside once it exists; a re-exec regains the capabilities the first exec lost while the
    /// ids were unmapped. SIGTERM is passed on to what runs inside.
    /// </summary>
    public static IReadOnlyList<string> UserNamespace(bool namespacesOff) =>
    [
        "/bin/sh", "-c",
        $$"""
        unshare --user -- /bin/sh -c 'until [ -n "$(cat /proc/self/gid_map)" ]; do sleep 0.01; done
          exec /bin/sh -c "{{(namespacesOff ? $"echo 0 >{MaxUserNamespaces} || exit 96; " : "")}}exec \"\$@\"" limit "$@"' mapped "$@" &
        child=$! own=$(readlink /proc/self/ns/user)
        trap 'kill -TERM $child' TERM
        until [ "$(readlink /proc/$child/ns/user)" != "$own" ]; do sleep 0.01; done
        echo '0 0 4294967295' >/proc/$child/uid_map && echo '0 0 4294967295' >/proc/$child/gid_map || { kill $child; exit 97; }
        wait $child; status=$?
        while kill -0 $child 2>/dev/null; do wait $child; status=$?; done
        exit $status
        """,
        "userns",
    ];

    /// <summary>The command (run as root, from outside) that turns user namespaces off inside the one <paramref name="pid"/> lives in.</summary>
    public static IReadOnlyList<string> TurnUserNamespacesOff(int pid) =>
        ["nsenter", "--user", $"--target={pid}", "/bin/sh", "-c", $"echo 0 >{MaxUserNamespaces}"];
}
