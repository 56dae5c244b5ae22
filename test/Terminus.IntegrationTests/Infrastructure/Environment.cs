namespace Terminus.IntegrationTests.Infrastructure;

/// <summary>
/// Where the real broker and the Celery harness are. <c>scripts/test.sh</c> starts the broker and sets these;
/// without them the integration tests fail (they never skip silently).
/// </summary>
internal static class ItEnvironment
{
    public static string AmqpUri => Require("TERMINUS_IT_AMQP_URI");
    public static string Python => Require("TERMINUS_IT_PYTHON");
    public static string Harness => Require("TERMINUS_IT_HARNESS");
    public static string RabbitCtl => Require("TERMINUS_IT_RMQ_CTL");

    /// <summary>The SSH alias of the loopback storage (scripts/ci/ssh-up.sh); <c>&lt;alias&gt;_refused</c> points at a closed port.</summary>
    public static string StorageAlias => Require("TERMINUS_IT_SSH_ALIAS");

    public static string SshUp => Require("TERMINUS_IT_SSH_UP");
    public static string SshDown => Require("TERMINUS_IT_SSH_DOWN");
    public static string RabbitUp => Require("TERMINUS_IT_RMQ_UP");
    public static string RabbitDown => Require("TERMINUS_IT_RMQ_DOWN");
    public static bool OwnsBroker => Environment.GetEnvironmentVariable("TERMINUS_IT_RMQ_OWNED") == "1";
    public static int ConsumerTimeoutMs => int.Parse(Require("TERMINUS_IT_CONSUMER_TIMEOUT_MS"));

    /// <summary>The broker's AMQPS port on 127.0.0.1 (scripts/ci/rmq-up.sh, RMQ_TLS_PORT).</summary>
    public static int AmqpsPort => int.Parse(Require("TERMINUS_IT_AMQPS_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The broker's TLS files: ca.pem/ca.key (its CA), server.pem/server.key (what it presents).</summary>
    public static string BrokerTlsDir => Require("TERMINUS_IT_TLS_DIR");

    /// <summary>Where uploads through <see cref="StorageAlias"/> land (the storage account's home).</summary>
    public static string StorageDir => Require("TERMINUS_IT_STORAGE_DIR");

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: run the tests with scripts/test.sh, which starts RabbitMQ and sets up the Celery harness");

    /// <summary>The repository's root (examples/, systemd/), found from the test binaries.</summary>
    public static string RepoRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    /// <summary>
    /// A new directory (mode 0700) for a lab's site, under <c>/var/tmp</c> rather than <c>/tmp</c>: a sandboxed job has a
    /// <c>/tmp</c> of its own, and what a test shares with a running service (the run trace, a file that releases it)
    /// lies outside its job, as on a lab's machine.
    /// </summary>
    public static string NewSiteRoot(string prefix)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the integration tests run on Linux");
        var parent = Directory.CreateDirectory(SitesRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return Directory.CreateDirectory(Path.Combine(parent.FullName, $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 12)]),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
    }

    public const string SitesRoot = "/var/tmp/terminus-tests";

    /// <summary>A host name of its own per test, so queues never collide.</summary>
    public static string NewHostName() => $"it{Guid.NewGuid():N}"[..14];
}
