using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Health;

public sealed record HealthDto(string Status, string? Detail = null);

/// <summary>
/// Liveness (the process answers: no I/O) and readiness, built on ASP.NET Core health checks tagged
/// <see cref="ReadyTag"/>: the database answers with every migration applied, and its storage takes writes.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddSasHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [ReadyTag])
            .AddCheck<StorageCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Operations").AllowAnonymous();
        health.MapGet("/live", CheckLive).WithName(nameof(CheckLive)).WithSummary("The process answers (no database): the bench's ceiling");
        health.MapGet("/ready", CheckReady).WithName(nameof(CheckReady)).WithSummary("The database answers, every migration is applied and the storage takes writes")
            .Produces<HealthDto>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static Ok<HealthDto> CheckLive() => TypedResults.Ok(new HealthDto("live"));

    public static async Task<Results<Ok<HealthDto>, JsonHttpResult<HealthDto>>> CheckReady(HealthCheckService checks, CancellationToken ct)
    {
        var report = await checks.CheckHealthAsync(c => c.Tags.Contains(ReadyTag), ct);
        if (report.Status == HealthStatus.Healthy) return TypedResults.Ok(new HealthDto("ready"));
        var detail = string.Join("; ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Value.Description ?? e.Key));
        return TypedResults.Json(new HealthDto("not_ready", detail), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public sealed class Sql
    {
        public string AppliedMigrations => "SELECT COUNT(*) FROM SchemaVersions";
    }

    private static readonly Sql Statements = new();

    /// <summary>The database answers and every migration of this build is applied.</summary>
    private sealed class DatabaseCheck(Db db, DatabaseOptions options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            try
            {
                await using var c = await db.OpenAsync(ct);
                var applied = await c.ExecuteScalarAsync<int>(new CommandDefinition(Statements.AppliedMigrations, cancellationToken: ct));
                var expected = Migrations.ScriptNames(options.Provider).Count;
                return applied >= expected ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{applied} of {expected} migrations applied");
            }
            catch (System.Data.Common.DbException)
            {
                // Readiness is a yes/no for the load balancer; the cause is in the database's own logs.
                return HealthCheckResult.Unhealthy("database unreachable");
            }
        }
    }

    /// <summary>The last writes were not refused by the storage (see <see cref="StorageHealth"/>).</summary>
    private sealed class StorageCheck(StorageHealth storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
            Task.FromResult(storage.Refusing() is { } why ? HealthCheckResult.Unhealthy(why) : HealthCheckResult.Healthy());
    }
}
