namespace Sas.Api.Bookings;

/// <summary>A stored booking, patient fields included (they are null once anonymised).</summary>
public sealed record BookingRow(
    string Id, long? SlotId, string Rpps, string SectorCode, string? SiteId, DateTime? StartUtc, DateTime? EndUtc,
    long Overflow, string? OverflowDay, string Status, string? Outcome, string Origin, string RegularDoctor,
    long RegularDoctorContacted, DateTime RequestedAt,
    string? PatientLastName, string? PatientFirstName, string? PatientBirthDate, string? PatientPhone, string? PatientCommune,
    string? PatientIns, string? PatientRegularDoctorRpps, string? Reason,
    string BookedByClient, DateTime CreatedAt, DateTime? CancelledAt, string? CancelledBy, string? CancelReason,
    string? CancelledByClient, long SlotReleased, DateTime? OutcomeAt, DateTime UpdatedAt, long GpIsRegularDoctor = 0, string? OperatorId = null, string? OperatorAccount = null);
