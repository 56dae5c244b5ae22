// The daemon and its tools are Linux programs (cgroups, /proc, signals): so are their tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
