using Sas.Domain.Bookings;
namespace Sas.Api.Bookings;

/// <summary>A stored booking, patient fields included (they are null once anonymised).</summary>
public sealed record BookingRow(
    string Id, long? SlotId, string Rpps, string SectorCode, string? SiteId, DateTime? StartUtc, DateTime? EndUtc,
    long Overflow, string? OverflowDay, string Status, string? Outcome, string Origin, string RegularDoctor,
    long RegularDoctorContacted, DateTime RequestedAt,
    string? PatientLastName, string? PatientFirstName, string? PatientBirthDate, string? PatientPhone, string? PatientCommune,
    string? PatientIns, string? PatientRegularDoctorRpps, string? Reason,
    string BookedByClient, DateTime CreatedAt, DateTime? CancelledAt, string? CancelledBy, string? CancelReason,
    string? CancelledByClient, long SlotReleased, DateTime? OutcomeAt, DateTime UpdatedAt, long GpIsRegularDoctor = 0, string? OperatorId = null, string? OperatorAccount = null)
{
    /// <summary>A new booking as the request gives it, named member by member; the store fills in the slot's part.</summary>
    public static BookingRow Draft(BookingInput input, ValidPatient patient, DateTime requestedAt, Infrastructure.Auth.Caller caller, DateTime now) => new(
        Id: Guid.NewGuid().ToString(), SlotId: null, Rpps: "", SectorCode: "", SiteId: null, StartUtc: null, EndUtc: null,
        Overflow: 0, OverflowDay: null, Status: Domain.Bookings.BookingStatus.Booked.ToText(), Outcome: null,
        Origin: input.Origin!.Value.ToText(), RegularDoctor: input.RegularDoctor!.Value.ToText(),
        RegularDoctorContacted: input.RegularDoctorContacted == true ? 1 : 0, RequestedAt: requestedAt,
        PatientLastName: patient.LastName, PatientFirstName: patient.FirstName, PatientBirthDate: patient.BirthDate, PatientPhone: patient.Phone,
        PatientCommune: patient.Commune, PatientIns: patient.Ins, PatientRegularDoctorRpps: patient.RegularDoctorRpps, Reason: input.Reason!.Trim(),
        BookedByClient: caller.ClientId, CreatedAt: now, CancelledAt: null, CancelledBy: null, CancelReason: null, CancelledByClient: null,
        SlotReleased: 0, OutcomeAt: null, UpdatedAt: now, OperatorId: input.Operator, OperatorAccount: input.OperatorAccount);
}
