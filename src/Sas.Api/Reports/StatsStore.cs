using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Reports;

public sealed record RawSlot(string SectorCode, string Rpps, DateTime StartUtc, DateTime EndUtc, string Status);

/// <summary>What statistics read of a booking, with its professional's profession: never a patient field.</summary>
public sealed record RawBooking(
    string SectorCode, string Rpps, DateTime? StartUtc, DateTime CreatedAt, long Overflow, string Status, string? Outcome,
    string Origin, string RegularDoctor, DateTime RequestedAt, long GpIsRegularDoctor, string? Profession = null);

public sealed record HourlyRow(
    string SectorCode, string Rpps, DateTime HourUtc, long Offered, long Booked, long Expired, long OfferedMinutes,
    long Honoured, long NoShow, long Cancelled, long OverflowBookings, long SasBookings, long NoRegularDoctor,
    long RegularDoctorUnavailable, long MajorationEligible,
    string LocalDay = "", string LocalWeek = "", string LocalMonth = "", long LocalWeekday = 0, long LocalHour = 0);

/// <summary>How a report groups its figures; each maps to a fixed column expression, never client text.</summary>
public enum ReportKey { Day, Week, Month, Practitioner, Sector, WeekdayHour, PractitionerWeek }

/// <summary>
/// One group of a report, summed by the database. A class with setters, not a positional record: for an
/// empty result SQLite types computed columns as BLOB, which a record constructor cannot be matched with.
/// </summary>
public sealed class GroupRow
{
    public string GroupKey { get; init; } = "";
    public long Weekday { get; init; }
    public long Hour { get; init; }
    public long Offered { get; init; }
    public long Booked { get; init; }
    public long Expired { get; init; }
    public long OfferedMinutes { get; init; }
    public long Honoured { get; init; }
    public long NoShow { get; init; }
    public long Cancelled { get; init; }
    public long OverflowBookings { get; init; }
    public long SasBookings { get; init; }
    public long NoRegularDoctor { get; init; }
    public long RegularDoctorUnavailable { get; init; }
    public long MajorationEligible { get; init; }
}

public sealed record DelayRow(string SectorCode, string Rpps, DateTime HourUtc, long DelayMinutes, long Bookings);

public sealed record SectorZone(string Code, string TimeZone);

public sealed class StatsStore(Db db)
{
    public sealed class Sql(SqlDialect d)
    {
        /// <summary>Slots that were still published at their start, in the range: booked, expired, or not yet swept by the expiry job.</summary>
        public string RawSlots { get; } = """
            SELECT sector_code AS SectorCode, rpps, start_utc AS StartUtc, end_utc AS EndUtc, status
              FROM slots
             WHERE start_utc >= @from AND start_utc < @to AND start_utc < @now
               AND status IN ('booked', 'expired', 'available', 'held')
            """;
        public string RawBookings { get; } = """
            SELECT sector_code AS SectorCode, rpps, start_utc AS StartUtc, created_at AS CreatedAt, overflow, status, outcome,
                   origin, regular_doctor AS RegularDoctor, requested_at AS RequestedAt, gp_is_regular_doctor AS GpIsRegularDoctor,
                   (SELECT p.profession FROM practitioners p WHERE p.rpps = bookings.rpps) AS Profession
              FROM bookings
             WHERE (start_utc >= @from AND start_utc < @to AND start_utc < @now)
                OR (start_utc IS NULL AND created_at >= @from AND created_at < @to AND created_at < @now)
            """;
        public string Zones { get; } = "SELECT code, time_zone AS TimeZone FROM sectors";
        public string DeleteHourly { get; } = "DELETE FROM stats_hourly WHERE hour_utc >= @from AND hour_utc < @to";
        public string DeleteSectorHourly { get; } = "DELETE FROM stats_sector_hourly WHERE hour_utc >= @from AND hour_utc < @to";
        public string DeleteDelays { get; } = "DELETE FROM stats_delays WHERE hour_utc >= @from AND hour_utc < @to";
        public string InsertHourly { get; } = """
            INSERT INTO stats_hourly (sector_code, rpps, hour_utc, offered, booked, expired, offered_minutes, honoured, no_show, cancelled,
                                      overflow_bookings, sas_bookings, no_regular_doctor, regular_doctor_unavailable, majoration_eligible,
                                      local_day, local_week, local_month, local_weekday, local_hour)
            VALUES (@SectorCode, @Rpps, @HourUtc, @Offered, @Booked, @Expired, @OfferedMinutes, @Honoured, @NoShow, @Cancelled,
                    @OverflowBookings, @SasBookings, @NoRegularDoctor, @RegularDoctorUnavailable, @MajorationEligible,
                    @LocalDay, @LocalWeek, @LocalMonth, @LocalWeekday, @LocalHour)
            """;
        public string InsertSectorHourly { get; } = """
            INSERT INTO stats_sector_hourly (sector_code, hour_utc, offered, booked, expired, offered_minutes, honoured, no_show, cancelled,
                                             overflow_bookings, sas_bookings, no_regular_doctor, regular_doctor_unavailable, majoration_eligible,
                                             local_day, local_week, local_month, local_weekday, local_hour)
            VALUES (@SectorCode, @HourUtc, @Offered, @Booked, @Expired, @OfferedMinutes, @Honoured, @NoShow, @Cancelled,
                    @OverflowBookings, @SasBookings, @NoRegularDoctor, @RegularDoctorUnavailable, @MajorationEligible,
                    @LocalDay, @LocalWeek, @LocalMonth, @LocalWeekday, @LocalHour)
            """;
        /// <summary>
        /// The figures of [from, to) summed per group by the database. Groupings without a GP read the
        /// per-sector table, a GP-count times smaller than the per-GP one, unless the report is limited to professions.
        /// </summary>
        public string Grouped(ReportKey key, bool ofProfessions = false) => $"""
            SELECT {Expression(key)} AS GroupKey, MIN(local_weekday) AS Weekday, MIN(local_hour) AS Hour,
                   SUM(offered) AS Offered, SUM(booked) AS Booked, SUM(expired) AS Expired, SUM(offered_minutes) AS OfferedMinutes,
                   SUM(honoured) AS Honoured, SUM(no_show) AS NoShow, SUM(cancelled) AS Cancelled, SUM(overflow_bookings) AS OverflowBookings,
                   SUM(sas_bookings) AS SasBookings, SUM(no_regular_doctor) AS NoRegularDoctor,
                   SUM(regular_doctor_unavailable) AS RegularDoctorUnavailable, SUM(majoration_eligible) AS MajorationEligible
              FROM {(PerGp(key) || ofProfessions ? "stats_hourly" : "stats_sector_hourly")}
             WHERE {d.InList("sector_code", "@sectors")} AND hour_utc >= @from AND hour_utc < @to{OfProfessions(ofProfessions, "rpps")}
             GROUP BY {Expression(key)}
            """;

        public static bool PerGp(ReportKey key) => key is ReportKey.Practitioner or ReportKey.PractitionerWeek;

        /// <summary>
        /// Keeps the rows of professionals of the report's professions (as registered now, as the grouping by profession
        /// reads them); nothing when the report covers every profession.
        /// </summary>
        private string OfProfessions(bool on, string rpps) =>
            on ? $"\n               AND {rpps} IN (SELECT rpps FROM practitioners WHERE {d.InList("profession", "@professions")})" : "";

        private string Expression(ReportKey key) => key switch
        {
            ReportKey.Day => "local_day",
            ReportKey.Week => "local_week",
            ReportKey.Month => "local_month",
            ReportKey.Practitioner => "rpps",
            ReportKey.Sector => "sector_code",
            ReportKey.WeekdayHour => d.IntegerAsText("local_weekday * 100 + local_hour"),
            _ => d.Concat(d.Concat("rpps", "'|'"), "local_week"),
        };

        /// <summary>
        /// The ACI indicators' counts per profession: a professional has one profession, so the professions' figures add
        /// up to the territory's (participating professionals included).
        /// </summary>
        public string IndicatorsByProfession(bool ofProfessions = false) => $"""
            SELECT p.profession AS Profession,
                   COUNT(DISTINCT CASE WHEN h.offered > 0 OR h.overflow_bookings > 0 THEN h.rpps END) AS Participating,
                   SUM(h.sas_bookings) AS SasBookings, SUM(h.no_regular_doctor) AS NoRegularDoctor,
                   SUM(h.regular_doctor_unavailable) AS RegularDoctorUnavailable, SUM(h.overflow_bookings) AS OverflowBookings
              FROM stats_hourly h JOIN practitioners p ON p.rpps = h.rpps
             WHERE {d.InList("h.sector_code", "@sectors")} AND h.hour_utc >= @from AND h.hour_utc < @to{OfProfessions(ofProfessions, "h.rpps")}
             GROUP BY p.profession
            """;
        public string DelaysByProfession(bool ofProfessions = false) => $"""
            SELECT p.profession AS Profession, s.delay_minutes AS DelayMinutes, SUM(s.bookings) AS Bookings
              FROM stats_delays s JOIN practitioners p ON p.rpps = s.rpps
             WHERE {d.InList("s.sector_code", "@sectors")} AND s.hour_utc >= @from AND s.hour_utc < @to{OfProfessions(ofProfessions, "s.rpps")}
             GROUP BY p.profession, s.delay_minutes
            """;
        public string InsertDelay { get; } = """
            INSERT INTO stats_delays (sector_code, rpps, hour_utc, delay_minutes, bookings)
            VALUES (@SectorCode, @Rpps, @HourUtc, @DelayMinutes, @Bookings)
            """;
        /// <summary>The pooled requests posted in a period in these sectors (issue #32): few a day, read whole.</summary>
        public string PooledRequests(bool ofProfessions = false) => $"""
            SELECT sector_code AS SectorCode, profession, status, created_at AS CreatedAt, closed_at AS ClosedAt, accepted_by AS AcceptedBy
              FROM pooled_requests
             WHERE {d.InList("sector_code", "@sectors")} AND created_at >= @from AND created_at < @to{(ofProfessions ? $" AND {d.InList("profession", "@professions")}" : "")}
            """;
        public string PractitionerNames { get; } = $"SELECT rpps, first_name AS FirstName, last_name AS LastName, profession FROM practitioners WHERE {d.InList("rpps", "@rpps")}";
        /// <summary>Every hour with eligible acts of these GPs, in every sector: the weekly cap is theirs, not a CPTS's.</summary>
        public string EligibleHours { get; } = $"""
            SELECT sector_code AS SectorCode, rpps, hour_utc AS HourUtc, local_week AS LocalWeek, majoration_eligible AS Eligible
              FROM stats_hourly
             WHERE {d.InList("rpps", "@rpps")} AND hour_utc >= @from AND hour_utc < @to AND majoration_eligible > 0
            """;
        public string ReadState { get; } = "SELECT value FROM stats_state WHERE name = @name";
        public string WriteState { get; } = "UPDATE stats_state SET value = @value WHERE name = @name";
        public string EarliestSlot { get; } = "SELECT MIN(start_utc) FROM slots";
        public string EarliestBooking { get; } = "SELECT MIN(created_at) FROM bookings";
    }

    private readonly Sql Statements = new(db.Dialect);

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

    /// <summary>
    /// Replaces the aggregates of [from, to) in one transaction: a reader sees the old figures or the new, never half.
    /// <paramref name="asOf"/> is when the raw rows were read: the reports' <c>asOf</c>.
    /// </summary>
    public Task ReplaceAsync(DateTime fromUtc, DateTime toUtc, IReadOnlyList<HourlyRow> hourly, IReadOnlyList<DelayRow> delays, DateTime asOf, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Statements.WriteState, new { name = AsOf, value = Domain.Time.Instants.Format(asOf) }, tx, cancellationToken: ct));
            var range = new { from = fromUtc, to = toUtc };
            await c.ExecuteAsync(new CommandDefinition(Statements.DeleteHourly, range, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Statements.DeleteSectorHourly, range, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(Statements.DeleteDelays, range, tx, cancellationToken: ct));
            await MultiRowInsert.ExecuteAsync(c, tx, Statements.InsertHourly, hourly, ct);
            await MultiRowInsert.ExecuteAsync(c, tx, Statements.InsertSectorHourly, StatsAggregator.BySector(hourly), ct);
            await MultiRowInsert.ExecuteAsync(c, tx, Statements.InsertDelay, delays, ct);
            return 0;
        }, ct);

    public const string AsOf = "as_of";
    public const string HistoryVersion = "history_version";

    public async Task<string?> ReadStateAsync(string name, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition(Statements.ReadState, new { name }, cancellationToken: ct));
    }

    public Task WriteStateAsync(string name, string value, CancellationToken ct) => db.ExecuteAsync(Statements.WriteState, new { name, value }, ct);

    /// <summary>The first instant any raw row (slot or booking) was stored at; null on an empty database.</summary>
    public async Task<DateTime?> EarliestRawAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var slot = await c.ExecuteScalarAsync<DateTime?>(new CommandDefinition(Statements.EarliestSlot, cancellationToken: ct));
        var booking = await c.ExecuteScalarAsync<DateTime?>(new CommandDefinition(Statements.EarliestBooking, cancellationToken: ct));
        return slot is null ? booking : booking is null ? slot : slot < booking ? slot : booking;
    }

    public sealed record EligibleHour(string SectorCode, string Rpps, DateTime HourUtc, string LocalWeek, long Eligible);

    public async Task<IReadOnlyList<EligibleHour>> EligibleHoursAsync(IReadOnlyCollection<string> rpps, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        if (rpps.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<EligibleHour>(new CommandDefinition(Statements.EligibleHours, new { rpps = ValueList.Of(rpps), from = fromUtc, to = toUtc }, cancellationToken: ct))).AsList();
    }

    /// <summary>The report's sectors, period and professions (null: every one) as the statements' parameters.</summary>
    private static object Args(IReadOnlyCollection<string> sectors, DateTime fromUtc, DateTime toUtc, IReadOnlyCollection<string>? professions) =>
        new { sectors = ValueList.Of(sectors), from = fromUtc, to = toUtc, professions = ValueList.Of(professions ?? []) };

    public async Task<IReadOnlyList<GroupRow>> GroupedAsync(IReadOnlyCollection<string> sectors, DateTime fromUtc, DateTime toUtc, ReportKey key, IReadOnlyCollection<string>? professions, CancellationToken ct)
    {
        if (sectors.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<GroupRow>(new CommandDefinition(Statements.Grouped(key, professions is not null), Args(sectors, fromUtc, toUtc, professions), cancellationToken: ct))).AsList();
    }

    /// <summary>One profession's ACI counts in a territory and period. A class for the same reason as <see cref="GroupRow"/>.</summary>
    public sealed class ProfessionCounts
    {
        public string Profession { get; init; } = "";
        public long Participating { get; init; }
        public long SasBookings { get; init; }
        public long NoRegularDoctor { get; init; }
        public long RegularDoctorUnavailable { get; init; }
        public long OverflowBookings { get; init; }
    }

    public sealed class ProfessionDelay
    {
        public string Profession { get; init; } = "";
        public long DelayMinutes { get; init; }
        public long Bookings { get; init; }
    }

    public async Task<(IReadOnlyList<ProfessionCounts> Counts, IReadOnlyList<ProfessionDelay> Delays)> IndicatorPartsAsync(
        IReadOnlyCollection<string> sectors, DateTime fromUtc, DateTime toUtc, IReadOnlyCollection<string>? professions, CancellationToken ct)
    {
        if (sectors.Count == 0) return ([], []);
        await using var c = await db.OpenAsync(ct);
        var args = Args(sectors, fromUtc, toUtc, professions);
        var counts = (await c.QueryAsync<ProfessionCounts>(new CommandDefinition(Statements.IndicatorsByProfession(professions is not null), args, cancellationToken: ct))).AsList();
        var delays = (await c.QueryAsync<ProfessionDelay>(new CommandDefinition(Statements.DelaysByProfession(professions is not null), args, cancellationToken: ct))).AsList();
        return (counts, delays);
    }

    public sealed record GpName(string Rpps, string FirstName, string LastName, string Profession);

    public sealed record PooledRequestRow(string SectorCode, string Profession, string Status, DateTime CreatedAt, DateTime? ClosedAt, string? AcceptedBy);

    public async Task<IReadOnlyList<PooledRequestRow>> PooledRequestsAsync(IReadOnlyList<string> sectors, DateTime from, DateTime to, IReadOnlyCollection<string>? professions, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<PooledRequestRow>(new CommandDefinition(Statements.PooledRequests(professions is not null), Args(sectors, from, to, professions), cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyDictionary<string, GpName>> NamesAsync(IReadOnlyCollection<string> rpps, CancellationToken ct)
    {
        if (rpps.Count == 0) return new Dictionary<string, GpName>();
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<GpName>(new CommandDefinition(Statements.PractitionerNames, new { rpps = ValueList.Of(rpps) }, cancellationToken: ct))).ToDictionary(n => n.Rpps);
    }
}
