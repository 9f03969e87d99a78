using System.Data.Common;
using Dapper;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Regulators;

/// <summary>
/// A regulator's account as the SAS platform sent it (FrPractitionerRegul): an IDNPS, the platform's technical id,
/// or both; a name, an email, whether the regulator may book. No more is kept.
/// </summary>
public sealed record RegulatorRow(string Id, string? Idnps, string? SasId, string Family, string Given, string Email, long Active, long Version, DateTime UpdatedAt);

public sealed class RegulatorStore(Db db, TimeProvider clock, Infrastructure.Audit.Audit audit)
{
    private const string Columns = "id, idnps, sas_id AS SasId, family, given, email, active, version, updated_at AS UpdatedAt";

    public sealed class Sql(SqlDialect d)
    {
        public string ById { get; } = $"SELECT {Columns} FROM regulators WHERE id = @id";

        /// <summary>
        /// An account by one of its identifiers. A disabled account may share its identifier with the active one that
        /// took it over: the active one is the account the identifier means.
        /// </summary>
        public string ByIdentifier(bool idnps) => $"""
            SELECT {Columns} FROM regulators
             WHERE {(idnps ? "idnps" : "sas_id")} = @value
             ORDER BY active DESC, updated_at DESC, id
            {d.Limit("1")}
            """;

        public string Insert { get; } = """
            INSERT INTO regulators (id, idnps, sas_id, family, given, email, active, version, updated_at)
            VALUES (@Id, @Idnps, @SasId, @Family, @Given, @Email, @Active, 1, @UpdatedAt)
            """;

        public string Update { get; } = """
            UPDATE regulators
               SET idnps = @Idnps, sas_id = @SasId, family = @Family, given = @Given, email = @Email, active = @Active,
                   version = version + 1, updated_at = @UpdatedAt
             WHERE id = @Id
            """;

        public string ActiveBySasId { get; } = "SELECT COUNT(*) FROM regulators WHERE sas_id = @sasId AND active = 1";
    }

    private readonly Sql sql = new(db.Dialect);

    /// <summary>What a write came to: the account as stored, or a conflict with another active account.</summary>
    public sealed record WriteOutcome(RegulatorRow? Row, bool Created, bool Conflict);

    public async Task<RegulatorRow?> GetAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<RegulatorRow>(new CommandDefinition(sql.ById, new { id }, cancellationToken: ct));
    }

    public async Task<RegulatorRow?> FindAsync(bool idnps, string value, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<RegulatorRow>(new CommandDefinition(sql.ByIdentifier(idnps), new { value }, cancellationToken: ct));
    }

    /// <summary>Whether a booking may name this account as its operator: it exists and is active.</summary>
    public async Task<bool> IsActiveAsync(string sasId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(sql.ActiveBySasId, new { sasId }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// Creates the account, or replaces the one with <paramref name="replaceId"/>. The database keeps one active account
    /// per identifier and per email (unique indexes over active rows): a second one is a conflict, whichever node wrote first.
    /// </summary>
    public async Task<WriteOutcome> SaveAsync(RegulatorRow account, string? replaceId, Caller caller, CancellationToken ct)
    {
        var row = account with { Id = replaceId ?? Guid.NewGuid().ToString("N"), UpdatedAt = clock.GetUtcNow().UtcDateTime };
        try
        {
            var changed = await db.InTransactionAsync(async (c, tx) =>
            {
                var n = replaceId is null
                    ? await c.ExecuteAsync(new CommandDefinition(sql.Insert, row, tx, cancellationToken: ct))
                    : await c.ExecuteAsync(new CommandDefinition(sql.Update, row, tx, cancellationToken: ct));
                if (n == 1) await audit.WriteAsync(c, tx, caller, replaceId is null ? "create" : "replace", "regulator", row.Id, ct);
                return n;
            }, ct);
            return changed == 1 ? new WriteOutcome(await GetAsync(row.Id, ct), replaceId is null, false) : new WriteOutcome(null, false, false);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return new WriteOutcome(null, false, true);
        }
    }
}
