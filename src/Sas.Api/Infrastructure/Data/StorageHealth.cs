using System.Data.Common;

namespace Sas.Api.Infrastructure.Data;

/// <summary>The storage refused a write (disk full, read-only, I/O error): the client may retry later; nothing was kept.</summary>
public sealed class StorageUnavailableException(Exception inner) : Exception("The database cannot answer at the moment.", inner);

/// <summary>
/// Whether the database's storage takes writes, as the last writes found. A refusal makes the node not ready
/// (the load balancer sends its traffic elsewhere) until a write succeeds again, or until
/// <see cref="RetryAfter"/> has passed with no other refusal: a node that no longer gets traffic must be
/// able to try again. Refusals are logged once, with their cause, then as a count at most every
/// <see cref="LogEvery"/>, not as one stack trace per request (a full disk refused thousands a second).
/// </summary>
public sealed class StorageHealth(TimeProvider clock, ILogger<StorageHealth> logger, Telemetry.SasMetrics? metrics = null)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private DateTimeOffset? lastRefusal;
    private volatile bool refusing;
    private DateTimeOffset lastLog;
    private long unlogged;
    private long episode;
    private string? reason;

    /// <summary>Every refusal since the start, for the metrics.</summary>
    public long Refusals { get; private set; }

    public void Refused(DbException error)
    {
        var now = clock.GetUtcNow();
        metrics?.StorageRefused();
        lock (gate)
        {
            Refusals++;
            episode++;
            var first = lastRefusal is null;
            lastRefusal = now;
            refusing = true;
            reason = error.Message.Length > 200 ? error.Message[..200] : error.Message;
            if (first)
            {
                lastLog = now;
                logger.LogError(error, "The database's storage refuses writes; answering 503 storage_unavailable until a write succeeds");
                return;
            }
            unlogged++;
            if (now - lastLog < LogEvery) return;
            logger.LogWarning("The database's storage still refuses writes: {Refused} refused since {Since:o} ({Reason})", unlogged, lastLog, reason);
            lastLog = now;
            unlogged = 0;
        }
    }

    public void Wrote()
    {
        if (!refusing) return; // the usual case: no lock on every write
        lock (gate)
        {
            if (lastRefusal is null) return;
            logger.LogWarning("The database's storage takes writes again, after {Refused} refused writes", episode);
            lastRefusal = null;
            refusing = false;
            episode = unlogged = 0;
        }
    }

    /// <summary>Null when writes are taken (or may be tried again); else why not.</summary>
    public string? Refusing()
    {
        lock (gate)
            return lastRefusal is { } at && clock.GetUtcNow() - at < RetryAfter ? $"storage refuses writes: {reason}" : null;
    }
}

/// <summary>
/// Runs a request once more when the database could not answer (<see cref="Errors.ProblemSetup.IsUnavailable"/>) and the
/// request is safe to repeat: a read, a PUT (a sync or a GP's record: the same again changes nothing more), or a POST
/// with an Idempotency-Key (the key answers the first outcome). Anything else, and a second failure, answers 503.
/// </summary>
public static class StorageRetry
{
    public static WebApplication UseSasStorageRetry(this WebApplication app)
    {
        var dialect = app.Services.GetRequiredService<Db>().Dialect;
        app.Use(async (http, next) =>
        {
            var request = http.Request;
            var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsPut(request.Method)
                || (HttpMethods.IsPost(request.Method) && request.Headers.ContainsKey("Idempotency-Key"));
            if (!safe)
            {
                await next(http);
                return;
            }
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)) request.EnableBuffering();
            try
            {
                await next(http);
            }
            catch (Exception e) when (Errors.ProblemSetup.IsUnavailable(e, dialect) && !http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                http.Response.Clear();
                if (request.Body.CanSeek) request.Body.Position = 0;
                await next(http);
            }
        });
        return app;
    }
}
