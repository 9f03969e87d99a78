using System.ComponentModel.DataAnnotations;
using Sas.Api.Bookings;
using Sas.Domain.Bookings;
using Sas.Domain.Slots;

namespace Sas.Api.Requests;

// Inputs: every member may be missing or null on the wire, so that the validator names every missing field at once.

/// <summary>A professional's opt-in to pooled requests: the ISO weekdays (1 Monday … 7 Sunday) and local hours they take them.</summary>
public sealed record PoolInput(
    [property: Required] int[]? Weekdays = null,
    [property: Required] string? From = null,
    [property: Required] string? Until = null);

public sealed record PoolDto(string Rpps, int[] Weekdays, string From, string Until);

/// <summary>
/// A request to the pool: what is needed (profession, modality, by when), where (exactly one of <c>sector</c>,
/// <c>commune</c>, <c>postalCode</c>), and the booking it becomes once a professional accepts it — the same patient,
/// call and operator fields as a booking's, with the same rules.
/// </summary>
public sealed record RequestInput(
    [property: Required] PatientInput? Patient = null,
    [property: Required] string? Reason = null,
    [property: Required] RegularDoctor? RegularDoctor = null,
    [property: Required] bool? RegularDoctorContacted = null,
    [property: Required] Origin? Origin = null,
    [property: Required] string? RequestedAt = null,
    [property: Required] string? NotAfter = null,
    string? NotBefore = null,
    string? Profession = null,
    string? Specialty = null,
    Modality? Modality = null,
    string? Sector = null,
    string? Commune = null,
    string? PostalCode = null,
    string? Operator = null,
    string? OperatorAccount = null)
{
    /// <summary>The booking this request becomes, as a booking's own input (checked by the same rules).</summary>
    public BookingInput AsBooking() => new(Patient, Reason, RegularDoctor, RegularDoctorContacted, Origin, RequestedAt, Operator: Operator, OperatorAccount: OperatorAccount);
}

/// <summary>A professional takes the request: which of the caller's professionals, and when they will see the patient.</summary>
public sealed record AcceptInput([property: Required] string? Rpps = null, [property: Required] string? Start = null);

/// <summary>
/// A pooled request as its regulator and the professionals offered it see it: never the patient (the booking holds
/// them once accepted); the reason while it is open, so a professional can decide.
/// </summary>
public sealed record RequestDto(
    string Id, string Status, string Sector, string Profession, string? Specialty, Modality Modality, string? Reason,
    string NotBefore, string NotAfter, int Offered, string? AcceptedBy, string? BookingId, string CreatedAt, string? ClosedAt);

public static class RequestStatus
{
    public const string Open = "open", Accepted = "accepted", Expired = "expired", Withdrawn = "withdrawn";
    public static readonly string[] All = [Open, Accepted, Expired, Withdrawn];
}
