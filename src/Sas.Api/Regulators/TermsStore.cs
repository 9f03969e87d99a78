using System.Data.Common;
using Dapper;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Regulators;

/// <summary>
/// The terms of use (CGU) a regulator from the SAS platform accepts, once per version, before the first agenda: the
/// guide asks each regulator to accept the editor's terms individually at the first sign-in after the account's creation.
/// </summary>
public sealed class TermsStore(Db db, TimeProvider clock, Infrastructure.Audit.Audit audit)
{
    /// <summary>The version of the terms the console shows (Console/Pages/Conditions.cshtml): a new text, a new version.</summary>
    public const string Version = "2026-12";

    public sealed class Sql
    {
        public string Accepted { get; } = "SELECT COUNT(*) FROM terms_acceptances WHERE regulator_id = @regulatorId AND version = @version";

        public string Insert { get; } = "INSERT INTO terms_acceptances (regulator_id, version, accepted_at) VALUES (@regulatorId, @version, @at)";
    }

    private static readonly Sql Statements = new();

    public async Task<bool> AcceptedAsync(string regulatorId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(Statements.Accepted, new { regulatorId, version = Version }, cancellationToken: ct)) > 0;
    }

    /// <summary>Records the acceptance (audited); accepting again, or on two nodes at once, keeps the first.</summary>
    public async Task AcceptAsync(string regulatorId, Caller caller, CancellationToken ct)
    {
        try
        {
            await db.InTransactionAsync(async (c, tx) =>
            {
                await c.ExecuteAsync(new CommandDefinition(Statements.Insert, new { regulatorId, version = Version, at = clock.GetUtcNow().UtcDateTime }, tx, cancellationToken: ct));
                await audit.WriteAsync(c, tx, caller, "accept_terms:" + Version, "regulator", regulatorId, ct);
                return 1;
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            // Accepted already: the first acceptance stands.
        }
    }
}
