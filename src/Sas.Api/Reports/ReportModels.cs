namespace Sas.Api.Reports;

public sealed record FillRateRow(
    string Key, string? Label, int? Weekday, int? Hour,
    long Offered, long Booked, long Expired, double? FillRate, long Honoured, long NoShow, long Cancelled);

public sealed record FillRateTotals(long Offered, long Booked, long Expired, double? FillRate, long Honoured, long NoShow, long Cancelled);

public sealed record FillRateReport(string GroupBy, string From, string To, string? AsOf, FillRateRow[] Rows, FillRateTotals Totals);

/// <summary>Delay from the call (<c>requestedAt</c>) to the consultation, in minutes; shares between 0 and 1.</summary>
public sealed record DelayFigures(long Bookings, long? Median, long? P90, double? Within24h, double? Within48h);

public sealed record IndicatorsReport(
    string From, string To, string? AsOf, long PractitionersParticipating, long SasRequestsWithAppointment, long PatientsWithoutRegularDoctor,
    long PatientsRegularDoctorUnavailable, DelayFigures Delay, long OverflowBookings, ProfessionIndicators[] ByProfession);

/// <summary>The indicators of one profession's professionals (as registered now): the rows add up to the report's figures.</summary>
public sealed record ProfessionIndicators(
    string Profession, string Label, long PractitionersParticipating, long SasRequestsWithAppointment, long PatientsWithoutRegularDoctor,
    long PatientsRegularDoctorUnavailable, DelayFigures Delay, long OverflowBookings);

/// <summary>
/// A GP's ISO week: <paramref name="EligibleActs"/> in this report's territory and period, <paramref name="CappedActs"/> of those within
/// the weekly cap, and <paramref name="WeekEligibleActs"/> over the whole week and every territory the GP works in (the cap's base).
/// </summary>
public sealed record MajorationRow(string Rpps, string? Name, string Week, long EligibleActs, long CappedActs, decimal Amount, long WeekEligibleActs, string? Profession);

public sealed record MajorationReport(string From, string To, string? AsOf, decimal AmountPerAct, int WeeklyCap, MajorationRow[] Rows, decimal TotalAmount);

/// <summary>A professional's ISO week against the participation line; <c>Profession</c> groups them (issue #32).</summary>
public sealed record ParticipationRow(string Rpps, string? Name, string Week, double OfferedHours, bool ReachesLine, string? Profession);

public sealed record ParticipationReport(string From, string To, string? AsOf, double LineHours, ParticipationRow[] Rows);

/// <summary>
/// Pooled requests of one sector and profession (issue #32): posted in the period, where they ended, and how long the
/// accepted ones waited, in minutes from posting to acceptance.
/// </summary>
public sealed record RequestGroupRow(string Sector, string Profession, long Posted, long Accepted, long Expired, long Withdrawn, long Open,
    long? AcceptanceMedianMinutes, long? AcceptanceP90Minutes);

/// <summary>Who accepts pooled requests: the professionals who carry the territory's unscheduled care.</summary>
public sealed record AcceptorRow(string Rpps, string? Name, string Profession, long Accepted);

public sealed record RequestsReport(string From, string To, RequestGroupRow[] Rows, RequestGroupRow Totals, AcceptorRow[] Acceptors);
