namespace Terminus.Infrastructure.Tests.Sandbox;

/// <summary>Command prefixes that run what follows as someone else (the tests run as root).</summary>
internal static class RunAs
{
    public const int NobodyUid = 65534;

    /// <summary>uid and gid 65534, no supplementary group: an unprivileged lab user.</summary>
    public static readonly IReadOnlyList<string> Nobody = ["setpriv", $"--reuid={NobodyUid}", $"--regid={NobodyUid}", "--clear-groups"];

    /// <summary>
    /// Runs the rest in a user namespace of its own (every id mapped to itself) whose <c>user.max_user_namespaces</c>
    /// is 0: a host where user namespaces are off, as seen from inside, without changing the host's own limit (which
    /// other test runs on this machine share, and which a container may not even let root write). The namespace's
    /// root may still write the limit; the map is written from outside once it exists; a re-exec regains the
    /// capabilities the first exec lost while the ids were unmapped.
    /// </summary>
    public static readonly IReadOnlyList<string> UserNamespacesOff =
    [
        "/bin/sh", "-c",
        """
        unshare --user -- /bin/sh -c 'until [ -n "$(cat /proc/self/gid_map)" ]; do sleep 0.01; done
          exec /bin/sh -c "echo 0 >/proc/sys/user/max_user_namespaces || exit 96; exec \"\$@\"" limit "$@"' mapped "$@" &
        child=$! own=$(readlink /proc/self/ns/user)
        until [ "$(readlink /proc/$child/ns/user)" != "$own" ]; do sleep 0.01; done
        echo '0 0 4294967295' >/proc/$child/uid_map && echo '0 0 4294967295' >/proc/$child/gid_map || { kill $child; exit 97; }
        wait $child
        """,
        "userns-off",
    ];
}
