using Akka.Hosting;
using Akka.Logger.Serilog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Terminus.Actors.Amqp;
using Terminus.Actors.Execution.Containment;
using Terminus.Actors.Hosting;
using Terminus.Host;
using Terminus.Host.Logging;
using Terminus.Core.Configuration;
using Terminus.Core;
using Terminus.Core.Sandbox;
using Terminus.Infrastructure.Containment;
using Terminus.Infrastructure.Ledger;
using Terminus.Infrastructure.Sandbox;
using Terminus.Infrastructure.Ssh;

// The Terminus daemon: one binary for a console (screen) and for systemd. Configuration errors stop it
// before anything is consumed, with one line per problem and exit code 78 (EX_CONFIG).
var loaded = SettingsLoader.LoadFromProcess();
if (!loaded.IsValid)
{
    foreach (var error in loaded.Errors) Console.Error.WriteLine($"terminus-daemon: configuration error: {error}");
    Console.Error.WriteLine("terminus-daemon: not started; fix the configuration (environment or terminus.env) and start again.");
    return ExitCodes.Config;
}
var settings = loaded.Settings!;
// `terminus check` asks the daemon's binary to check the broker, so that it connects exactly as the daemon does.
if (args is [BrokerCheck.Flag]) return await BrokerCheck.RunAsync(settings, Console.Out);
// `terminus cancel` asks it to publish the cancel, for the same reason.
if (args is [CancelPublisher.Flag, var cancelId, ..] && long.TryParse(cancelId, System.Globalization.NumberStyles.None, null, out var cancelJob))
    return await CancelPublisher.RunAsync(settings, new Terminus.Core.Jobs.JobId(cancelJob), args.Length > 2 ? args[2] : null, Console.Out);
// One daemon per ledger, before anything is consumed: a second one (in screen beside the unit, or on another host
// sharing the home) would run the same jobs again. It leaves in one line, with a code systemd does not restart on.
LedgerLock? ledgerLock;
try
{
    ledgerLock = LedgerLock.TryTake(settings.LedgerPath, out var holder);
    if (ledgerLock is null)
    {
        Console.Error.WriteLine($"terminus-daemon: not started: another daemon uses the ledger {settings.LedgerPath} ({holder}); stop that one first");
        return ExitCodes.TempFail;
    }
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"terminus-daemon: cannot lock the ledger: {e.Message}");
    return ExitCodes.CantCreate;
}
using var heldLedgerLock = ledgerLock;
// The sandbox is tried for real (bwrap runs once): TERMINUS_SANDBOX=on without one stops here, in one line.
var sandboxDetection = await SandboxDetection.RunAsync(settings, Environment.GetEnvironmentVariable("PATH"));
if (sandboxDetection.Decision.Choice == SandboxChoice.Refuse)
{
    Console.Error.WriteLine($"terminus-daemon: {sandboxDetection.Decision.Detail}");
    return ExitCodes.Config;
}
try
{
    Directory.CreateDirectory(settings.LogDir);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"terminus-daemon: cannot create the log directory '{settings.LogDir}': {e.Message}");
    return ExitCodes.CantCreate;
}

Log.Logger = DaemonLogging.Create(settings, DaemonLogging.ToJournal(SettingsLoader.ProcessEnvironment()));

try
{
    foreach (var note in loaded.Notes) Log.Information("Configuration: {Note}", note);
    if (settings.Broker.PlainTextWarning() is { } plainText) Log.Warning("Configuration: {Warning}", plainText);
    IJobCgroups? cgroups;
    try
    {
        cgroups = settings.UseSlurm ? null : HostCgroups.ForDaemon(settings, line => Log.Information("{Line}", line));
    }
    catch (CgroupException e)
    {
        Log.Error("Configuration: {Error}", e.Message);
        Console.Error.WriteLine("terminus-daemon: not started; fix the configuration (environment or terminus.env) and start again.");
        return ExitCodes.Config;
    }
    Log.Information("{Line}", DaemonOomScore.Lower().Description);
    var sandbox = new JobSandbox(settings, sandboxDetection);
    if (sandbox.IsOn) Log.Information("Sandbox: {Detail}", sandbox.Decision.Detail);
    else Log.Warning("Sandbox: {Detail}", sandbox.Decision.Detail);
    await using var sshMasters = new SshMasterPool(settings.StorageSshAlias, settings.RunDir, settings.Execution.UploadTimeout,
        TerminusHostingExtensions.UploadWorkers(settings), line => Log.Information("{Line}", line), line => Log.Warning("{Line}", line));
    var runtime = TerminusRuntime.For(settings, cgroups, sandbox, sshMasters);
    using var metrics = MetricsEndpointServer.Start(settings.Telemetry.MetricsListen);
    var readiness = new TerminusReadiness();

    var builder = Host.CreateApplicationBuilder(args);
    builder.Services.AddSerilog();
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
    builder.Services.AddAkka("terminus", (akka, _) => akka
        .ConfigureLoggers(l =>
        {
            l.ClearLoggers();
            l.AddSerilogLogging();
        })
        .AddTerminus(settings, runtime, readiness));
    builder.Services.AddSingleton(readiness);
    builder.Services.AddHostedService<Terminus.Host.SystemdService>();
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception e)
{
    Log.Fatal(e, "Terminus daemon stopped on an unexpected error");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
