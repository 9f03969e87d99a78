using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sas.Api.Tests.Support;

/// <summary>Keeps every log line a host writes, at every level, with its exception: for tests of what is (not) logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, string Category, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}: {Message} {Exception}";
    }

    public ConcurrentQueue<Entry> Entries { get; } = new();

    /// <summary>Every entry as one line of text, scopes included.</summary>
    public IEnumerable<string> Lines => Entries.Select(e => e.ToString());

    public ILogger CreateLogger(string category) => new Logger(category, Entries);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            entries.Enqueue(new Entry(LogLevel.None, category, $"scope: {state}", null));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(level, category, formatter(state, e), e));
    }
}
