using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Console;

/// <summary>Section <c>Console:Session</c>: how long a person stays signed in to the console.</summary>
public sealed class ConsoleSessionOptions
{
    public const string Section = "Console:Session";

    /// <summary>Signed out after this long without a request.</summary>
    [Range(1, 24 * 60)]
    public int IdleMinutes { get; set; } = 120;

    /// <summary>Signed out this long after signing in, however active: a working day.</summary>
    [Range(1, 24)]
    public int AbsoluteHours { get; set; } = 10;

    /// <summary>How often a session's person is checked again (still allowed, same role and scope).</summary>
    [Range(1, 60)]
    public int RecheckMinutes { get; set; } = 5;
}

/// <summary>
/// The console's sessions in the database (<c>console_sessions</c>), for the cookie handler: the cookie carries only
/// the session's key, so signing out ends the session on every node at once (a copied cookie opens nothing after it),
/// and a session ends at its absolute expiry whatever its cookie says.
/// </summary>
public sealed class ConsoleSessions(Db db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<ConsoleSessionOptions> options) : ITicketStore
{
    public sealed class Sql(SqlDialect d)
    {
        public string Insert => "INSERT INTO console_sessions (id, person, ticket, created_at, expires_at) VALUES (@id, @person, @ticket, @now, @expires)";
        public string Renew => "UPDATE console_sessions SET ticket = @ticket WHERE id = @id AND expires_at > @now";
        public string Get => "SELECT ticket FROM console_sessions WHERE id = @id AND expires_at > @now";
        public string Delete => "DELETE FROM console_sessions WHERE id = @id";
        public string DeleteExpired { get; } = d.DeleteBatch("console_sessions", "expires_at <= @now", "@batch");
    }

    private readonly Sql sql = new(db.Dialect);
    private readonly TicketSerializer serializer = TicketSerializer.Default;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var person = ticket.Principal.FindFirst(Infrastructure.Auth.SasClaims.ClientId)?.Value ?? "";
        await db.ExecuteAsync(sql.Insert, new { id, person, ticket = serializer.Serialize(ticket), now = Now, expires = Now.AddHours(options.Value.AbsoluteHours) }, default);
        return id;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        db.ExecuteAsync(sql.Renew, new { id = key, ticket = serializer.Serialize(ticket), now = Now }, default);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var c = await db.OpenAsync();
        var bytes = await c.QuerySingleOrDefaultAsync<byte[]>(sql.Get, new { id = key, now = Now });
        return bytes is null ? null : serializer.Deserialize(bytes);
    }

    public Task RemoveAsync(string key) => db.ExecuteAsync(sql.Delete, new { id = key }, default);

    /// <summary>Sessions past their absolute expiry, in batches (the patient purge job calls it nightly).</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken ct)
    {
        int total = 0, n;
        while ((n = await db.ExecuteAsync(sql.DeleteExpired, new { now = Now, batch = 1000 }, ct)) > 0) total += n;
        return total;
    }
}

/// <summary>Puts <see cref="ConsoleSessions"/> behind the console's cookie, and the idle expiry from the settings.</summary>
public sealed class ConsoleCookieSetup(ConsoleSessions sessions, Microsoft.Extensions.Options.IOptions<ConsoleSessionOptions> options, TimeProvider clock)
    : Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions o)
    {
        if (name != ConsoleSetup.Scheme) return;
        o.SessionStore = sessions;
        o.TimeProvider = clock;
        o.ExpireTimeSpan = TimeSpan.FromMinutes(options.Value.IdleMinutes);
    }
}
