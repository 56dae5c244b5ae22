// The daemon and its tools are Linux programs (process groups, /proc, systemd): so are their tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
