using Sas.Domain.Bookings;

namespace Sas.Api.Bookings;

// Inputs: every member may be missing or null on the wire, so that the validator names every missing field at once
// (422 validation_failed, each under its full path such as patient.lastName) instead of the JSON reader the first (400).

public sealed record PatientInput(
    string? LastName = null,
    string? FirstName = null,
    string? BirthDate = null,
    string? Phone = null,
    string? Commune = null,
    string? Ins = null,
    string? RegularDoctorRpps = null);

/// <summary>A booking request: a slot (and its hold), or an overflow place with a GP.</summary>
public sealed record BookingInput(
    PatientInput? Patient = null,
    string? Reason = null,
    RegularDoctor? RegularDoctor = null,
    bool? RegularDoctorContacted = null,
    Origin? Origin = null,
    string? RequestedAt = null,
    long? SlotId = null,
    string? HoldId = null,
    string? PractitionerRpps = null,
    bool Overflow = false,
    string? Operator = null);

public sealed record HoldDto(string HoldId, long SlotId, string ExpiresAt);

public sealed record CancellationInput(CancelledBy? By = null, string? Reason = null);

public sealed record OutcomeInput(Outcome? Outcome = null);

public sealed record PatientDto(string? LastName, string? FirstName, string? BirthDate, string? Phone, string? Commune, string? Ins, string? RegularDoctorRpps);

public sealed record CancellationDto(CancelledBy By, string? Reason, string At, bool SlotReleased);

public sealed record BookingDto(
    string Id,
    long? SlotId,
    string PractitionerRpps,
    string Sector,
    string? Site,
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
    string? Operator = null);
