using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;
using Terminus.Core.Configuration;

namespace Terminus.Host.Logging;

/// <summary>
/// The daemon's logs: the console (stdout: screen, or journald under systemd) and one file per day in the log
/// directory, kept <c>TERMINUS_LOG_RETAIN_DAYS</c> days. Readable lines by default; with <c>TERMINUS_LOG_FORMAT=json</c>,
/// Serilog's compact JSON (one object per line, <c>@t</c>, <c>@mt</c>, <c>@l</c> and the event's properties) in both.
/// Under systemd each console line starts with its syslog priority, for <c>journalctl -p</c>.
/// </summary>
public static class DaemonLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string JournalTemplate = "[{Level:u3}] {Message:lj}{NewLine}{Exception}"; // journald stamps the time itself
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>systemd sets <c>JOURNAL_STREAM</c> when a service's stdout or stderr is connected to the journal.</summary>
    public static bool ToJournal(IReadOnlyDictionary<string, string?> environment) =>
        environment.GetValueOrDefault("JOURNAL_STREAM") is { Length: > 0 };

    public static ILogger Create(TerminusSettings settings, bool toJournal)
    {
        var json = settings.Telemetry.LogFormat == LogFormat.Json;
        ITextFormatter console = json ? new CompactJsonFormatter()
            : new MessageTemplateTextFormatter(toJournal ? JournalTemplate : ConsoleTemplate);
        if (toJournal) console = new SyslogPrefixFormatter(console);
        ITextFormatter file = json ? new CompactJsonFormatter() : new MessageTemplateTextFormatter(FileTemplate);
        return new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .WriteTo.Console(console)
            .WriteTo.File(file, Path.Combine(settings.LogDir, "terminus-.log"), rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: settings.Telemetry.LogRetainDays)
            .CreateLogger();
    }
}
