using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Reports;

public sealed record RawSlot(string SectorCode, string Rpps, DateTime StartUtc, DateTime EndUtc, string Status);

/// <summary>What statistics read of a booking: never a patient field.</summary>
public sealed record RawBooking(
    string SectorCode, string Rpps, DateTime? StartUtc, DateTime CreatedAt, long Overflow, string Status, string? Outcome,
    string Origin, string RegularDoctor, DateTime RequestedAt, long GpIsRegularDoctor);

public sealed record HourlyRow(
    string SectorCode, string Rpps, DateTime HourUtc, long Offered, long Booked, long Expired, long OfferedMinutes,
    long Honoured, long NoShow, long Cancelled, long OverflowBookings, long SasBookings, long NoRegularDoctor,
    long RegularDoctorUnavailable, long MajorationEligible);

public sealed record DelayRow(string SectorCode, string Rpps, DateTime HourUtc, long DelayMinutes, long Bookings);

public sealed record SectorZone(string Code, string TimeZone);

public sealed class StatsStore(Db db)
{
    private const string HourlyColumns = """
        sector_code AS SectorCode, rpps, hour_utc AS HourUtc, offered, booked, expired, offered_minutes AS OfferedMinutes,
        honoured, no_show AS NoShow, cancelled, overflow_bookings AS OverflowBookings, sas_bookings AS SasBookings,
        no_regular_doctor AS NoRegularDoctor, regular_doctor_unavailable AS RegularDoctorUnavailable, majoration_eligible AS MajorationEligible
        """;

    public sealed class Sql
    {
        /// <summary>Slots that were still published at their start, in the range: booked, expired, or not yet swept by the expiry job.</summary>
        public string RawSlots => """
            SELECT sector_code AS SectorCode, rpps, start_utc AS StartUtc, end_utc AS EndUtc, status
              FROM slots
             WHERE start_utc >= @from AND start_utc < @to AND start_utc < @now
               AND status IN ('booked', 'expired', 'available', 'held')
            """;
        public string RawBookings => """
            SELECT sector_code AS SectorCode, rpps, start_utc AS StartUtc, created_at AS CreatedAt, overflow, status, outcome,
                   origin, regular_doctor AS RegularDoctor, requested_at AS RequestedAt, gp_is_regular_doctor AS GpIsRegularDoctor
              FROM bookings
             WHERE (start_utc >= @from AND start_utc < @to AND start_utc < @now)
                OR (start_utc IS NULL AND created_at >= @from AND created_at < @to AND created_at < @now)
            """;
        public string Zones => "SELECT code, time_zone AS TimeZone FROM sectors";
        public string DeleteHourly => "DELETE FROM stats_hourly WHERE hour_utc >= @from AND hour_utc < @to";
        public string DeleteDelays => "DELETE FROM stats_delays WHERE hour_utc >= @from AND hour_utc < @to";
        public string InsertHourly => """
            INSERT INTO stats_hourly (sector_code, rpps, hour_utc, offered, booked, expired, offered_minutes, honoured, no_show, cancelled,
                                      overflow_bookings, sas_bookings, no_regular_doctor, regular_doctor_unavailable, majoration_eligible)
            VALUES (@SectorCode, @Rpps, @HourUtc, @Offered, @Booked, @Expired, @OfferedMinutes, @Honoured, @NoShow, @Cancelled,
                    @OverflowBookings, @SasBookings, @NoRegularDoctor, @RegularDoctorUnavailable, @MajorationEligible)
            """;
        public string InsertDelay => """
            INSERT INTO stats_delays (sector_code, rpps, hour_utc, delay_minutes, bookings)
            VALUES (@SectorCode, @Rpps, @HourUtc, @DelayMinutes, @Bookings)
            """;
        public string Hourly => $"SELECT {HourlyColumns} FROM stats_hourly WHERE sector_code IN @sectors AND hour_utc >= @from AND hour_utc < @to";
        public string Delays => """
            SELECT sector_code AS SectorCode, rpps, hour_utc AS HourUtc, delay_minutes AS DelayMinutes, bookings
              FROM stats_delays
             WHERE sector_code IN @sectors AND hour_utc >= @from AND hour_utc < @to
            """;
        public string PractitionerNames => "SELECT rpps, first_name AS FirstName, last_name AS LastName FROM practitioners WHERE rpps IN @rpps";
    }

    private static readonly Sql Statements = new();

    public sealed record Raw(IReadOnlyList<RawSlot> Slots, IReadOnlyList<RawBooking> Bookings, IReadOnlyDictionary<string, string> Zones);

    public async Task<Raw> ReadRawAsync(DateTime fromUtc, DateTime toUtc, DateTime nowUtc, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var args = new { from = fromUtc, to = toUtc, now = nowUtc };
        var slots = (await c.QueryAsync<RawSlot>(new CommandDefinition(Statements.RawSlots, args, cancellationToken: ct))).AsList();
        var bookings = (await c.QueryAsync<RawBooking>(new CommandDefinition(Statements.RawBookings, args, cancellationToken: ct))).AsList();
        var zones = (await c.QueryAsync<SectorZone>(new CommandDefinition(Statements.Zones, cancellationToken: ct))).ToDictionary(z => z.Code, z => z.TimeZone);
        return new Raw(slots, bookings, zones);
    }

    /// <summary>Replaces the aggregates of [from, to) in one transaction: a reader sees the old figures or the new, never half.</summary>
    public Task ReplaceAsync(DateTime fromUtc, DateTime toUtc, IReadOnlyList<HourlyRow> hourly, IReadOnlyList<DelayRow> delays, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var range = new { from = fromUtc, to = toUtc };
            await c.ExecuteAsync(new CommandDefinition(Statements.DeleteHourly, range, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Statements.DeleteDelays, range, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Statements.InsertHourly, hourly, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Statements.InsertDelay, delays, tx, cancellationToken: ct));
            return 0;
        }, ct);

    public async Task<(IReadOnlyList<HourlyRow> Hourly, IReadOnlyList<DelayRow> Delays)> ReadAsync(IReadOnlyCollection<string> sectors, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        if (sectors.Count == 0) return ([], []);
        await using var c = await db.OpenAsync(ct);
        var args = new { sectors, from = fromUtc, to = toUtc };
        var hourly = (await c.QueryAsync<HourlyRow>(new CommandDefinition(Statements.Hourly, args, cancellationToken: ct))).AsList();
        var delays = (await c.QueryAsync<DelayRow>(new CommandDefinition(Statements.Delays, args, cancellationToken: ct))).AsList();
        return (hourly, delays);
    }

    public sealed record GpName(string Rpps, string FirstName, string LastName);

    public async Task<IReadOnlyDictionary<string, GpName>> NamesAsync(IReadOnlyCollection<string> rpps, CancellationToken ct)
    {
        if (rpps.Count == 0) return new Dictionary<string, GpName>();
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<GpName>(new CommandDefinition(Statements.PractitionerNames, new { rpps }, cancellationToken: ct))).ToDictionary(n => n.Rpps);
    }
}
