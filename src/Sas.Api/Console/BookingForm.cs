using System.Globalization;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Domain.Bookings;

namespace Sas.Api.Console;

/// <summary>The patient form as typed in the console (regulation search, GP agenda); sent to the booking service as the API's BookingInput.</summary>
public sealed class BookingForm
{
    public long SlotId { get; set; }
    public string? HoldId { get; set; }
    /// <summary>An overflow place with this GP instead of a slot.</summary>
    public string? OverflowRpps { get; set; }
    public string IdempotencyKey { get; set; } = Guid.NewGuid().ToString();
    public string? LastName { get; set; }
    public string? FirstName { get; set; }
    public string? BirthDate { get; set; }
    public string? Phone { get; set; }
    public string? PatientCommune { get; set; }
    public string? Reason { get; set; }
    public string RegularDoctor { get; set; } = "has";
    public bool RegularDoctorContacted { get; set; }

    /// <summary>A pooled request instead of a booking: the profession needed, and within how many hours.</summary>
    public bool ToPool { get; set; }
    public string Profession { get; set; } = Domain.Professions.Professions.GeneralPractitioner.Name;
    public int WithinHours { get; set; } = DefaultWindow;

    /// <summary>The windows a regulator picks from, in hours (a pooled request is for today's care: a day at most).</summary>
    public static readonly int[] Windows = [1, 2, 4, 8, 12, 24];
    public const int DefaultWindow = 4;

    /// <summary>
    /// The booking as the API would receive it, from a call that began now. A regulator sent by the SAS platform books as
    /// their own account (the operator the platform is told of); anyone else books as the client they are.
    /// </summary>
    public BookingInput ToInput(DateTimeOffset now, Caller caller)
    {
        RegularDoctor? regularDoctor = RegularDoctor switch
        {
            "has" => Domain.Bookings.RegularDoctor.Has,
            "none" => Domain.Bookings.RegularDoctor.None,
            "unavailable" => Domain.Bookings.RegularDoctor.Unavailable,
            _ => null,
        };
        var overflow = OverflowRpps is not null;
        return new BookingInput(
            new PatientInput(LastName, FirstName, BirthDate, Phone, PatientCommune),
            Reason, regularDoctor, RegularDoctorContacted, Origin.Sas,
            now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            overflow ? null : SlotId, overflow ? null : HoldId, OverflowRpps, Overflow: overflow,
            Operator: caller.OwnOperator.Id, OperatorAccount: caller.OwnOperator.Account);
    }

    /// <summary>
    /// The pooled request a regulator posts for the searched place (its commune or its postal code) when no slot fits:
    /// the same patient and call as a booking, the profession, open from now for the hours chosen.
    /// </summary>
    public Requests.RequestInput ToRequest(DateTimeOffset now, Caller caller, (string? Commune, string? PostalCode) place)
    {
        var booking = ToInput(now, caller);
        var hours = Windows.Contains(WithinHours) ? WithinHours : DefaultWindow;
        return new Requests.RequestInput(booking.Patient, booking.Reason, booking.RegularDoctor, booking.RegularDoctorContacted, booking.Origin,
            booking.RequestedAt, NotAfter: Domain.Time.Instants.Format(now.UtcDateTime.AddHours(hours)), Profession: Profession,
            Commune: place.Commune, PostalCode: place.PostalCode, Operator: booking.Operator, OperatorAccount: booking.OperatorAccount);
    }
}

/// <summary>What the patient form partial shows: the form, its title, the hold's end, each field's refusal, the page's own fields.</summary>
public sealed record PatientFormView(BookingForm Form, string Title, string? HoldUntil, Func<string, string?> ErrorOf, IReadOnlyDictionary<string, string?> Hidden);

/// <summary>
/// What the reservation partial shows: the booking just made (when it is, who was told) with its cancel form, or the one
/// just cancelled; the page's own fields carried by the form.
/// </summary>
public sealed record ReservationView(BookingDto? Booked, string? When, string Told, BookingDto? Cancelled, IReadOnlyDictionary<string, string?> Hidden);

/// <summary>A regulator's cancellation from a console page (the regulation search, the GP agenda), through the API's service.</summary>
public static class RegulatorCancellation
{
    /// <summary>The booking cancelled, or the refusal in French with the fields at fault.</summary>
    public static async Task<(BookingDto? Cancelled, IReadOnlyDictionary<string, IReadOnlyList<Domain.Validation.FieldRule>>? Errors, string? Problem)> CancelAsync(
        BookingService bookings, string bookingId, string by, string? reason, Caller caller, CancellationToken ct)
    {
        CancelledBy? who = by switch { "patient" => CancelledBy.Patient, "regulator" => CancelledBy.Regulator, _ => null };
        var result = await bookings.CancelAsync(bookingId, new CancellationInput(who, reason), caller, ct);
        return result.Succeeded ? (result.Value, null, null) : (null, result.Invalid?.Rules, $"Annulation refusée : {FrenchText.Of(result)}.");
    }
}
