using Dapper;
using Hangfire;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Privacy;

/// <summary>
/// <c>patients:purge</c>: once a consultation is older than <c>Privacy:RetentionDays</c> (default 90), the
/// booking's patient fields and free-text reasons are cleared; what the statistics need (times, origin,
/// outcome, whether the GP was the patient's own) stays, so every report answers the same. Each purged
/// booking gets an audit row in the same transaction; a booking is purged once (purged_at), so running
/// again changes nothing. (Idempotency keys, whose stored answers hold patient data, go after a day: see
/// <see cref="IdempotencyExpiryJob"/>.)
/// </summary>
public sealed class PatientPurgeJob(Db db, TimeProvider clock, PrivacyOptions privacy, Infrastructure.Audit.Audit audit, ILogger<PatientPurgeJob> logger)
{
    public const string Id = "patients:purge";
    public const string Cron = "0 2 * * *";
    public const int BatchSize = 500;

    /// <summary>The purge acts as the system, not as a client; the audit says so.</summary>
    public static readonly Caller System = new("system:" + Id, "system", new HashSet<string>());

    public sealed class Sql(SqlDialect d)
    {
        public string Due { get; } = $"""
            SELECT id
              FROM bookings
             WHERE purged_at IS NULL
               AND (start_utc < @cutoff OR (start_utc IS NULL AND created_at < @cutoff))
             ORDER BY id
            {d.Limit("@batch")}
            """;
        public string Purge { get; } = $"""
            UPDATE bookings
               SET patient_last_name = NULL, patient_first_name = NULL, patient_birth_date = NULL, patient_phone = NULL,
                   patient_commune = NULL, patient_ins = NULL, patient_regular_doctor_rpps = NULL, reason = NULL,
                   cancel_reason = NULL, purged_at = @now, updated_at = @now
             WHERE {d.InList("id", "@ids")} AND purged_at IS NULL
            """;
    }

    private readonly Sql sql = new(db.Dialect);

    public int RetentionDays => privacy.RetentionDays;

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var purged = await db.InTransactionAsync(async (c, tx) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var ids = (await c.QueryAsync<string>(new CommandDefinition(sql.Due, new { cutoff = now.AddDays(-RetentionDays), batch = BatchSize }, tx, cancellationToken: ct))).AsList();
                if (ids.Count == 0) return 0;
                await c.ExecuteAsync(new CommandDefinition(sql.Purge, new { ids = ValueList.Of(ids), now }, tx, cancellationToken: ct));
                await audit.WriteManyAsync(c, tx, System, "purge", "booking", ids, ct);
                return ids.Count;
            }, ct);
            total += purged;
            if (purged < BatchSize) break;
        }
        if (total > 0) logger.LogInformation("Retention purge: {Bookings} bookings anonymised", total);
        return total;
    }
}
