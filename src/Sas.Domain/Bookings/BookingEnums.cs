using System.Text.Json;

namespace Sas.Domain.Bookings;

public enum BookingStatus { Booked, Cancelled }

public enum Outcome { Honoured, NoShow }

/// <summary>Where the request came from; only <c>sas</c> counts for the ACI indicator and the majoration.</summary>
public enum Origin { Sas, CptsLine, Pharmacy, EmergencyDepartment, Other }

/// <summary>Whether the patient has a médecin traitant, has none, or theirs was unavailable.</summary>
public enum RegularDoctor { Has, None, Unavailable }

public enum CancelledBy { Patient, Practitioner, Regulator }

/// <summary>Enumerations are snake_case text on the wire and in the database: one rule for all.</summary>
public static class EnumText
{
    public static string ToText<T>(this T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static T Parse<T>(string text) where T : struct, Enum =>
        Enum.GetValues<T>().First(v => v.ToText() == text);

    public static T? ParseOrNull<T>(string? text) where T : struct, Enum =>
        text is null ? null : Parse<T>(text);
}
