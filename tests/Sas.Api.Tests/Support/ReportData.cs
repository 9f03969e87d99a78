using Dapper;

namespace Sas.Api.Tests.Support;

/// <summary>Raw slots and bookings written straight into the database, at any instant, for statistics tests.</summary>
public static class ReportData
{

    public static long InsertSlot(this SasApiFactory api, string rpps, string sector, DateTime startUtc, int minutes, string status)
    {
        using var c = api.OpenDb();
        return c.ExecuteScalar<long>(TestEngine.Dialect.InsertReturningId("slots",
            "rpps, sector_code, site_id, start_utc, end_utc, modality, status, created_at, updated_at",
            "@rpps, @sector, 'cab', @start, @end, 'in_person', @status, @start, @start"),
            new { rpps, sector, start = startUtc, end = startUtc.AddMinutes(minutes), status });
    }

    public sealed record BookingSpec(
        string Rpps, string Sector, long? SlotId, DateTime? StartUtc, DateTime CreatedAt, DateTime RequestedAt,
        string Status = "booked", string? Outcome = null, string Origin = "sas", string RegularDoctor = "has", bool GpIsRegularDoctor = false);

    public static string InsertBooking(this SasApiFactory api, BookingSpec b)
    {
        using var c = api.OpenDb();
        var id = Guid.NewGuid().ToString(); // the width of a booking id (36), which a server engine enforces
        c.Execute("""
            INSERT INTO bookings (id, slot_id, rpps, sector_code, site_id, start_utc, end_utc, overflow, overflow_day, status, outcome, origin,
                                  regular_doctor, regular_doctor_contacted, requested_at, patient_last_name, patient_first_name, patient_birth_date,
                                  patient_phone, patient_commune, reason, booked_by_client, created_at, slot_released, updated_at, gp_is_regular_doctor)
            VALUES (@id, @SlotId, @Rpps, @Sector, 'cab', @StartUtc, NULL, @overflow, NULL, @Status, @Outcome, @Origin,
                    @RegularDoctor, 1, @RequestedAt, 'Nom', 'Prénom', '1980-01-01', '+33600000000', '44109', 'motif', 'client', @CreatedAt, 0, @CreatedAt, @gp)
            """, new { id, b.SlotId, b.Rpps, b.Sector, b.StartUtc, overflow = b.SlotId is null ? 1 : 0, b.Status, b.Outcome, b.Origin, b.RegularDoctor, b.RequestedAt, b.CreatedAt, gp = b.GpIsRegularDoctor ? 1 : 0 });
        return id;
    }
}

/// <summary>A CPTS with one sector and a GP, statistics rebuilt on demand, and report queries: what the report tests share.</summary>
public static class ReportWorld
{
    public static async Task<(string Cpts, string Sector, string Rpps)> Territory(this SasApiFactory api, string department = "44", string commune = "44109", string? timeZone = null)
    {
        var world = new World(api);
        string sector;
        if (timeZone is null) sector = await world.Sector(communes: [commune], department: department);
        else
        {
            sector = World.NewCode();
            await (await api.Admin().PutJson($"/v1/sectors/{sector}", new { name = sector, department, communes = new[] { commune }, timeZone })).Expect(System.Net.HttpStatusCode.Created);
        }
        var cpts = await world.Cpts(sector);
        return (cpts, sector, await world.Practitioner([sector]));
    }

    public static Task Recompute(this SasApiFactory api, DateTime from, DateTime to) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Sas.Api.Reports.StatsJob>(api.Services).RecomputeAsync(from, to, default);

    /// <summary>A report as admin: <paramref name="report"/> is fill-rate, indicators, majorations or participation.</summary>
    public static async Task<System.Text.Json.JsonElement> Report(this SasApiFactory api, string report, string cpts, DateTime from, DateTime to, string extra = "") =>
        await (await api.Admin().GetAsync($"/v1/reports/{report}?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}{extra}")).Expect(System.Net.HttpStatusCode.OK);

    /// <summary>An eligible SAS act: a booked slot at <paramref name="startUtc"/>, called 3 hours before, honoured.</summary>
    public static void EligibleAct(this SasApiFactory api, string rpps, string sector, DateTime startUtc)
    {
        var slot = api.InsertSlot(rpps, sector, startUtc, 20, "booked");
        api.InsertBooking(new ReportData.BookingSpec(rpps, sector, slot, startUtc, startUtc.AddHours(-3), startUtc.AddHours(-3), Outcome: "honoured"));
    }
}
