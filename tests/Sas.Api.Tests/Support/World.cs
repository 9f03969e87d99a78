using System.Net;
using Sas.Domain.Identifiers;

namespace Sas.Api.Tests.Support;

/// <summary>Builds territory, GPs and clients through the API, with identifiers unique to each call.</summary>
public sealed class World(SasApiFactory api)
{
    private static int counter;

    public SasApiFactory Api => api;

    public static int Next() => Interlocked.Increment(ref counter);

    public static string NewRpps()
    {
        var payload = $"2{Next():D9}";
        return payload + Luhn.CheckDigit(payload);
    }

    public static string NewFiness()
    {
        var payload = $"44{Next():D6}";
        return payload + Luhn.CheckDigit(payload);
    }

    public static string NewCode(string prefix = "S") => $"{prefix}-{Next()}";

    public async Task<string> Sector(string? code = null, string[]? communes = null, string department = "44", int? horizon = null, string? cpts = null)
    {
        code ??= NewCode();
        var response = await api.Admin().PutJson($"/v1/sectors/{code}", new
        {
            name = $"Sector {code}", department, communes = communes ?? ["44109"], bookingHorizonHours = horizon, cpts,
        });
        await response.Expect(HttpStatusCode.Created);
        return code;
    }

    public async Task<string> Cpts(params string[] sectors)
    {
        var finess = NewFiness();
        await (await api.Admin().PutJson($"/v1/cpts/{finess}", new { name = $"CPTS {finess}", sectors })).Expect(HttpStatusCode.Created);
        return finess;
    }

    /// <summary>The practice's SIRET every site of <see cref="Practitioner"/> gives (a real key).</summary>
    public const string Siret = "73282932000074";

    public Task<string> Practitioner(string[] sectors, string? rpps = null, int overflowPerDay = 0, params string[] sites) =>
        Professional(sectors, "general_practitioner", null, rpps, overflowPerDay, sites);

    /// <summary>A professional of that profession (and a physician's specialty), registered by an admin.</summary>
    public async Task<string> Professional(string[] sectors, string profession, string? specialty = null, string? rpps = null, int overflowPerDay = 0, params string[] sites)
    {
        rpps ??= NewRpps();
        var response = await api.Admin().PutJson($"/v1/practitioners/{rpps}", ProfessionalBody(sectors, profession, specialty, overflowPerDay, sites));
        await response.Expect(HttpStatusCode.Created);
        return rpps;
    }

    /// <summary>The body that registers a professional (an admin's PUT): the default site "cab" in Nantes.</summary>
    public object ProfessionalBody(string[] sectors, string profession, string? specialty = null, int overflowPerDay = 0, params string[] sites)
    {
        var siteIds = sites.Length == 0 ? ["cab"] : sites;
        return new
        {
            firstName = "Jeanne", lastName = $"Docteur{Next()}", sectors, overflowPerDay, profession, specialty,
            sites = siteIds.Select(id => new { id, name = $"Cabinet {id}", address = "1 rue de la Santé", commune = "44109", postalCode = "44000", siret = Siret }),
        };
    }

    /// <summary>A new integration client with that role and scope, and an HttpClient using its key.</summary>
    public async Task<HttpClient> ClientFor(string role, params string[] scope) => api.WithKey(await KeyFor(role, scope));

    /// <summary>A new integration client with that role and scope: its API key (good on every node sharing the database).</summary>
    public async Task<string> KeyFor(string role, params string[] scope)
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = $"{role} client", role, scope })).Expect(HttpStatusCode.Created);
        return created.GetProperty("apiKey").GetString()!;
    }

    /// <summary>A regulator client of <paramref name="scope"/> that an admin granted these operators to name on its bookings.</summary>
    public async Task<HttpClient> RegulatorNaming(string[] accounts, string[] nationalIds, params string[] scope)
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = "regulator client", role = "regulator", scope })).Expect(HttpStatusCode.Created);
        await (await api.Admin().PutJson($"/v1/clients/{created.GetProperty("id").GetString()}/operators", new { accounts, nationalIds })).Expect(HttpStatusCode.OK);
        return api.WithKey(created.GetProperty("apiKey").GetString()!);
    }

    /// <summary>A slot body starting <paramref name="fromNow"/> after the fake clock's now.</summary>
    public object Slot(TimeSpan fromNow, string sector, int minutes = 20, string site = "cab", string modality = "in_person", string? externalId = null)
    {
        var start = api.Clock.GetUtcNow() + fromNow;
        return new
        {
            start = start.ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:sszzz"),
            end = start.AddMinutes(minutes).ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:sszzz"),
            sector, site, modality, externalId,
        };
    }

    /// <summary>Publishes a slot as admin and answers its id.</summary>
    public async Task<long> PublishedSlot(string rpps, TimeSpan fromNow, string sector, int minutes = 20, string site = "cab", string modality = "in_person")
    {
        var created = await (await api.Admin().PostJson($"/v1/practitioners/{rpps}/slots", Slot(fromNow, sector, minutes, site, modality))).Expect(HttpStatusCode.Created);
        return created.GetProperty("id").GetInt64();
    }

    public static string Instant(DateTimeOffset t) => Uri.EscapeDataString(Local(t));

    /// <summary>An instant as the API takes it in a body: Paris winter time, with its offset.</summary>
    public static string Local(DateTimeOffset t) => t.ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:sszzz");
}

public static class WorldDb
{
    /// <summary>Puts a slot in a state directly, for tests of what other features (holds, bookings) will do to it.</summary>
    public static void SetSlotState(this SasApiFactory api, long id, string status, string? heldBy = null, DateTime? holdExpiresAt = null)
    {
        using var c = api.OpenDb();
        var hold = heldBy is null ? null : "h";
        Assert.Equal(1, Dapper.SqlMapper.Execute(c, "UPDATE slots SET status = @status, held_by = @heldBy, hold_expires_at = @holdExpiresAt, hold_id = @hold WHERE id = @id",
            new { status, heldBy, holdExpiresAt, hold, id }));
    }

    /// <summary>Every slot row of a GP as text: to show that a request wrote nothing.</summary>
    public static string SlotSnapshot(this SasApiFactory api, string rpps)
    {
        using var c = api.OpenDb();
        using var r = Dapper.SqlMapper.ExecuteReader(c, "SELECT id, sector_code, site_id, start_utc, end_utc, modality, external_id, status, updated_at FROM slots WHERE rpps = @rpps ORDER BY id", new { rpps });
        var sb = new System.Text.StringBuilder();
        while (r.Read())
        {
            for (var i = 0; i < r.FieldCount; i++) sb.Append(r.IsDBNull(i) ? "null" : r.GetValue(i)).Append('|');
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
