using System.ComponentModel.DataAnnotations;
using Sas.Domain.Bookings;

namespace Sas.Api.Bookings;

// Inputs: every member may be missing or null on the wire, so that the validator names every missing field at once
// (422 validation_failed, each under its full path such as patient.lastName) instead of the JSON reader the first (400).

public sealed record PatientInput(
    [property: Required] string? LastName = null,
    [property: Required] string? FirstName = null,
    [property: Required] string? BirthDate = null,
    [property: Required] string? Phone = null,
    [property: Required] string? Commune = null,
    string? Ins = null,
    string? RegularDoctorRpps = null);

/// <summary>A booking request: a slot (and its hold), or an overflow place with a GP.</summary>
public sealed record BookingInput(
    [property: Required] PatientInput? Patient = null,
    [property: Required] string? Reason = null,
    [property: Required] RegularDoctor? RegularDoctor = null,
    [property: Required] bool? RegularDoctorContacted = null,
    [property: Required] Origin? Origin = null,
    [property: Required] string? RequestedAt = null,
    long? SlotId = null,
    string? HoldId = null,
    string? PractitionerRpps = null,
    bool Overflow = false,
    string? Operator = null,
    string? OperatorAccount = null);

/// <summary>Where a booking moves: another slot, with this client's hold on it if it holds it.</summary>
public sealed record MoveInput([property: Required] long? SlotId = null, string? HoldId = null);

public sealed record HoldDto(string HoldId, long SlotId, string ExpiresAt);

public sealed record CancellationInput([property: Required] CancelledBy? By = null, [property: Required] string? Reason = null);

public sealed record OutcomeInput([property: Required] Outcome? Outcome = null);

/// <summary>The patient as a booking answers it; every field is null once the retention purge has cleared it.</summary>
public sealed record PatientDto(string? LastName, string? FirstName, string? BirthDate, string? Phone, Territory.CommuneRefDto? Commune, string? Ins, string? RegularDoctorRpps);

/// <summary>A patient that passed validation, as stored: phone in E.164, commune as its INSEE code.</summary>
public sealed record ValidPatient(string LastName, string FirstName, string BirthDate, string Phone, string Commune, string? Ins, string? RegularDoctorRpps);

public sealed record CancellationDto(CancelledBy By, string? Reason, string At, bool SlotReleased);

public sealed record BookingDto(
    string Id,
    long? SlotId,
    string PractitionerRpps,
    string Sector,
    string? SiteId,
    string? Start,
    string? End,
    string TimeZone,
    bool Overflow,
    string? OverflowDay,
    BookingStatus Status,
    Outcome? Outcome,
    Origin Origin,
    RegularDoctor RegularDoctor,
    bool RegularDoctorContacted,
    string RequestedAt,
    string? Reason,
    PatientDto Patient,
    string CreatedAt,
    CancellationDto? Cancellation,
    string? Operator = null,
    string? OperatorAccount = null)
{
    /// <summary>A stored booking as the API answers it, its times in UTC and its sector's zone named.</summary>
    public static BookingDto Of(BookingRow b, string timeZone, Reference.Geography geography) => new(
        b.Id, b.SlotId, b.Rpps, b.SectorCode, b.SiteId,
        b.StartUtc is { } start ? Sas.Domain.Time.Instants.Format(start) : null, b.EndUtc is { } end ? Sas.Domain.Time.Instants.Format(end) : null,
        timeZone, b.Overflow == 1, b.OverflowDay,
        EnumText.Parse<BookingStatus>(b.Status), EnumText.ParseOrNull<Outcome>(b.Outcome), EnumText.Parse<Origin>(b.Origin),
        EnumText.Parse<RegularDoctor>(b.RegularDoctor), b.RegularDoctorContacted == 1, Sas.Domain.Time.Instants.Format(b.RequestedAt), b.Reason,
        new PatientDto(b.PatientLastName, b.PatientFirstName, b.PatientBirthDate, b.PatientPhone, Territory.CommuneRefDto.Of(geography, b.PatientCommune), b.PatientIns, b.PatientRegularDoctorRpps),
        Sas.Domain.Time.Instants.Format(b.CreatedAt),
        b.CancelledAt is { } at ? new CancellationDto(EnumText.Parse<CancelledBy>(b.CancelledBy!), b.CancelReason, Sas.Domain.Time.Instants.Format(at), b.SlotReleased == 1) : null,
        b.OperatorId, b.OperatorAccount);
}
