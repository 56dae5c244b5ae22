using Serilog.Events;
using Serilog.Formatting;

namespace Terminus.Host.Logging;

/// <summary>
/// Puts the sd-daemon priority prefix (<c>&lt;3&gt;</c> error, <c>&lt;4&gt;</c> warning, <c>&lt;6&gt;</c> info, …) before
/// each line another formatter writes. journald reads it from a service's stdout (and strips it), so that
/// <c>journalctl -p warning</c> shows the warnings and errors. Used only when <c>JOURNAL_STREAM</c> says stdout is the journal.
/// </summary>
public sealed class SyslogPrefixFormatter(ITextFormatter inner) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write('<');
        output.Write(Priority(logEvent.Level));
        output.Write('>');
        inner.Format(logEvent, output);
    }

    /// <summary>syslog(3) priorities, as sd-daemon(3) defines the prefixes.</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,       // LOG_CRIT
        LogEventLevel.Error => 3,       // LOG_ERR
        LogEventLevel.Warning => 4,     // LOG_WARNING
        LogEventLevel.Information => 6, // LOG_INFO
        _ => 7,                         // LOG_DEBUG
    };
}
