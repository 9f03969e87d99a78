using HangfireLogLevel = Hangfire.Logging.LogLevel;

namespace Sas.Api.Jobs;

/// <summary>
/// Hangfire's log provider is process-wide (static). This one writes to the host's loggers and, when
/// that host has been stopped (another host in the same process, as in tests), drops the line instead
/// of failing the caller's request.
/// </summary>
public sealed class HangfireLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name) => new HostLog(factory, name);

    private sealed class HostLog(ILoggerFactory factory, string name) : Hangfire.Logging.ILog
    {
        public bool Log(HangfireLogLevel level, Func<string>? message, Exception? exception = null)
        {
            try
            {
                var logger = factory.CreateLogger(name);
                var mapped = level switch
                {
                    HangfireLogLevel.Trace => LogLevel.Trace,
                    HangfireLogLevel.Debug => LogLevel.Debug,
                    HangfireLogLevel.Info => LogLevel.Information,
                    HangfireLogLevel.Warn => LogLevel.Warning,
                    HangfireLogLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (message is null) return logger.IsEnabled(mapped);
                logger.Log(mapped, exception, "{Message}", message());
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
