using Sas.Domain.Bookings;

namespace Sas.Api.Bookings;

public sealed record PatientInput(
    string LastName,
    string FirstName,
    string BirthDate,
    string Phone,
    string Commune,
    string? Ins = null,
    string? RegularDoctorRpps = null);

/// <summary>A booking request: a slot (and its hold), or an overflow place with a GP.</summary>
public sealed record BookingInput(
    PatientInput Patient,
    string Reason,
    RegularDoctor RegularDoctor,
    bool RegularDoctorContacted,
    Origin Origin,
    string RequestedAt,
    long? SlotId = null,
    string? HoldId = null,
    string? PractitionerRpps = null,
    bool Overflow = false,
    string? Operator = null);

public sealed record HoldDto(string HoldId, long SlotId, string ExpiresAt);

public sealed record CancellationInput(CancelledBy By, string Reason);

public sealed record OutcomeInput(Outcome Outcome);

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
