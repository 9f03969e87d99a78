using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Bookings;

/// <summary>A stored first answer: its status and its JSON body.</summary>
public sealed record StoredAnswer(int Status, string Body);

/// <summary>
/// <c>Idempotency-Key</c> for booking POSTs, scoped to the client: the first answer is stored in the
/// same transaction as the booking it describes, so a replay can never see one without the other.
/// Concurrent replays queue on the key (SQLite's single writer, SQL Server's key-range lock) and the
/// later ones read the first answer.
/// </summary>
public sealed class Idempotency(Db db, TimeProvider clock)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(24);
    public const int MaxKeyLength = 200;

    public sealed class Sql(SqlDialect d)
    {
        public string DeleteExpired { get; } = "DELETE FROM idempotency_keys WHERE client_id = @client AND idem_key = @key AND expires_at <= @now";
        public string Select { get; } = $"""
            SELECT request_hash AS RequestHash, status_code AS StatusCode, response_body AS ResponseBody, expires_at AS ExpiresAt
              FROM idempotency_keys {d.UpdateLock}
             WHERE client_id = @client AND idem_key = @key
            {d.ForUpdate}
            """;
        public string Insert { get; } = """
            INSERT INTO idempotency_keys (client_id, idem_key, request_hash, status_code, response_body, created_at, expires_at)
            VALUES (@client, @key, @hash, @status, @body, @now, @expires)
            """;
        public string DeleteExpiredBatch { get; } = d.DeleteBatch("idempotency_keys", "expires_at <= @now", "@batch");
    }

    private sealed record Row(string RequestHash, long StatusCode, string ResponseBody, DateTime ExpiresAt);

    private readonly Sql sql = new(db.Dialect);

    public enum Kind { Fresh, Replay, KeyReused }

    public sealed record Outcome(Kind Kind, StoredAnswer Answer);

    /// <summary>
    /// Runs <paramref name="work"/> once per (client, key) and stores its answer; a replay with the same
    /// request answers the stored one, a replay with another request is refused.
    /// </summary>
    public async Task<Outcome> RunAsync(string client, string key, string requestHash, Func<DbConnection, DbTransaction, Task<StoredAnswer>> work, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await db.InTransactionAsync(async (c, tx) =>
                {
                    var now = clock.GetUtcNow().UtcDateTime;
                    var stored = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql.Select, new { client, key }, tx, cancellationToken: ct));
                    if (stored is not null && stored.ExpiresAt <= now)
                    {
                        // A key older than a day is forgotten: the request is a new one. (Deleted only when met, not on every booking.)
                        await c.ExecuteAsync(new CommandDefinition(sql.DeleteExpired, new { client, key, now }, tx, cancellationToken: ct));
                        stored = null;
                    }
                    if (stored is not null)
                        return stored.RequestHash == requestHash
                            ? new Outcome(Kind.Replay, new StoredAnswer((int)stored.StatusCode, stored.ResponseBody))
                            : new Outcome(Kind.KeyReused, new StoredAnswer(422, ""));
                    var answer = await work(c, tx);
                    await c.ExecuteAsync(new CommandDefinition(sql.Insert,
                        new { client, key, hash = requestHash, status = (long)answer.Status, body = answer.Body, now, expires = now + KeptFor }, tx, cancellationToken: ct));
                    return new Outcome(Kind.Fresh, answer);
                }, ct);
            }
            catch (DbException e) when (attempt == 0 && db.Dialect.IsUniqueViolation(e))
            {
                // A concurrent first request with this key committed meanwhile: our work is rolled back; read its answer.
            }
        }
    }

    /// <summary>Deletes up to <paramref name="batch"/> keys older than a day; answers how many.</summary>
    public Task<int> DeleteExpiredAsync(int batch, CancellationToken ct) =>
        db.ExecuteAsync(sql.DeleteExpiredBatch, new { now = clock.GetUtcNow().UtcDateTime, batch }, ct);

    /// <summary>The request as the server understood it, re-serialised: whitespace or key order do not make another request.</summary>
    public static string Hash<T>(T request, JsonSerializerOptions options) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, options)));
}
