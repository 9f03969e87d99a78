using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Health;

public sealed record HealthDto(string Status, string? Detail = null);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Operations").AllowAnonymous();
        health.MapGet("/live", Live).WithName(nameof(Live)).WithSummary("The process answers (no database): the bench's ceiling");
        health.MapGet("/ready", Ready).WithName(nameof(Ready)).WithSummary("The database answers and every migration is applied");
        return app;
    }

    public sealed class Sql
    {
        public string AppliedMigrations => "SELECT COUNT(*) FROM SchemaVersions";
    }

    private static readonly Sql Statements = new();

    public static Ok<HealthDto> Live() => TypedResults.Ok(new HealthDto("live"));

    public static async Task<Results<Ok<HealthDto>, JsonHttpResult<HealthDto>>> Ready(Db db, DatabaseOptions options, CancellationToken ct)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            var applied = await c.ExecuteScalarAsync<int>(new CommandDefinition(Statements.AppliedMigrations, cancellationToken: ct));
            var expected = Migrations.ScriptNames(options.Provider).Count;
            return applied >= expected
                ? TypedResults.Ok(new HealthDto("ready"))
                : TypedResults.Json(new HealthDto("not_ready", $"{applied} of {expected} migrations applied"), statusCode: 503);
        }
        catch (System.Data.Common.DbException)
        {
            // Readiness is a yes/no for the load balancer; the cause is in the database's own logs.
            return TypedResults.Json(new HealthDto("not_ready", "database unreachable"), statusCode: 503);
        }
    }
}
