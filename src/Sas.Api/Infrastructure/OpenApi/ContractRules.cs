using Sas.Api.Infrastructure.Auth;
using Sas.Api.Notifications;
using Sas.Api.Practitioners;
using Sas.Domain.Identifiers;
using Sas.Domain.Patients;

namespace Sas.Api.Infrastructure.OpenApi;

/// <summary>
/// What the contract says about a value beyond its C# type, taken from the constants the validators use: patterns,
/// formats, bounds and closed sets, by the name of the property or parameter that carries it.
/// </summary>
public static class ContractRules
{
    public sealed record Rule(string? Pattern = null, string? Format = null, int? MinLength = null, int? MaxLength = null,
        string[]? Enum = null, int? Minimum = null, int? Maximum = null, string? Description = null);

    public static readonly string[] DeliveryStatuses = ["pending", "delivered", "failed"];
    public static readonly string[] SyncConflictReasons = ["changed_while_booked", "absent_while_booked"];
    public static readonly string[] GroupBys = ["day", "week", "month", "practitioner", "sector", "weekday_hour", "profession"];
    public static readonly string[] ReportFormats = ["json", "csv", "excel-fr"];
    public static readonly string[] Modalities = ["in_person", "teleconsultation", "home_visit"];

    private static readonly Rule Instant = new(Format: "date-time", Description: "An instant with its offset (ISO 8601); answers give UTC with Z. Between 2000 and 2100.");
    private static readonly Rule LocalTime = new(Pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", Description: "A local time, HH:mm, in the sector's time zone.");
    private static readonly Rule RppsRule = new(Pattern: Rpps.Pattern, Description: "RPPS: 11 digits, the last a Luhn key.");
    private static readonly Rule ProfessionalRule = new(Pattern: ProfessionalId.Pattern, Description: ProfessionalId.Description);
    private static readonly Rule FinessRule = new(Pattern: Finess.Pattern, Description: "FINESS: 9 characters (2A/2B in Corsica), the last a Luhn key.");
    private static readonly Rule InseeRule = new(Pattern: InseeCode.Pattern, Description: "An INSEE commune code (not a postal code).");
    private static readonly Rule CodeRule = new(Pattern: EndpointConventions.CodePattern, MaxLength: EndpointConventions.MaxCodeLength);

    /// <summary>Rules for properties, by name; <c>Type.property</c> first, then the property name alone.</summary>
    public static readonly Dictionary<string, Rule> Properties = new(StringComparer.Ordinal)
    {
        ["PoolInput.from"] = LocalTime, ["PoolInput.until"] = LocalTime, ["PoolDto.from"] = LocalTime, ["PoolDto.until"] = LocalTime,
        ["PoolInput.weekdays"] = new(Description: "ISO weekdays, 1 Monday … 7 Sunday."), ["notBefore"] = Instant, ["notAfter"] = Instant, ["closedAt"] = Instant,
        ["RequestDto.status"] = new(Enum: Requests.RequestStatus.All),
        ["RequestGroupRow.profession"] = new(Description: "The profession, or all in the totals."),
        ["RequestGroupRow.sector"] = new(Description: "The sector, or all in the totals."),
        ["start"] = Instant, ["end"] = Instant, ["requestedAt"] = Instant, ["createdAt"] = Instant, ["expiresAt"] = Instant,
        ["nextAttemptAt"] = Instant, ["deliveredAt"] = Instant, ["at"] = Instant, ["asOf"] = Instant, ["from"] = Instant, ["to"] = Instant,
        ["revokedAt"] = Instant,
        ["startTime"] = new(Pattern: "^[0-2][0-9]:[0-5][0-9]$", Description: "A local time, HH:mm."),
        ["endTime"] = new(Pattern: "^[0-2][0-9]:[0-5][0-9]$", Description: "A local time, HH:mm."),
        ["firstDay"] = new(Format: "date"), ["lastDay"] = new(Format: "date"),
        ["birthDate"] = new(Format: "date"), ["overflowDay"] = new(Format: "date", Description: "The GP's local day of an overflow booking."),
        ["rpps"] = ProfessionalRule, ["practitionerRpps"] = ProfessionalRule, ["regularDoctorRpps"] = RppsRule,
        ["finess"] = FinessRule, ["cpts"] = FinessRule,
        ["siret"] = new(Pattern: Siret.Pattern, Description: "SIRET: 14 digits, the last a Luhn key (La Poste's: digits adding up to a multiple of 5)."),
        ["SiteInput.finess"] = new(Pattern: Finess.Pattern, Description: "The practice's FINESS, if it has one (or its SIRET, not both): its structure identifier (IDNST) for the SAS platform."),
        ["postalCode"] = new(Pattern: InseeCode.PostalCodePattern, Description: "One of the commune's postal codes; required where the commune has several."),
        ["bookingUrl"] = new(Format: "uri", MaxLength: 500, Description: "https: the GP's booking agenda for SAS regulators, sent with each slot to the SAS platform; {slotId} in it is replaced by the slot's id."),
        ["inseeCode"] = InseeRule, ["PatientInput.commune"] = InseeRule, ["SiteInput.commune"] = InseeRule,
        ["department"] = new(Pattern: "^(?:[0-9]{2}|2[AB]|9[78][0-9])$", Description: "A département code (97x, 98x overseas)."),
        ["PatientDto.phone"] = new(Pattern: Phones.E164Pattern, Description: "E.164."),
        ["PatientInput.phone"] = new(MaxLength: 25, Description: "A French number as dialled (06 12 34 56 78, overseas included) or international with its country code (+32 470 12 34 56); stored in E.164."),
        ["code"] = CodeRule, ["sector"] = CodeRule, ["siteId"] = CodeRule, ["SiteInput.id"] = CodeRule, ["SiteDto.id"] = CodeRule, ["PracticeSiteDto.id"] = CodeRule,
        ["SlotInput.site"] = CodeRule,
        ["externalId"] = new(MinLength: 1, MaxLength: Slots.SlotValidation.MaxExternalIdLength, Description: "The practice software's own id of the slot; required in a sync."),
        ["firstName"] = new(MaxLength: 100), ["lastName"] = new(MaxLength: 100), ["address"] = new(MaxLength: 300),
        ["SectorInput.name"] = new(MaxLength: 200), ["CptsInput.name"] = new(MaxLength: 200), ["ClientInput.name"] = new(MaxLength: 200), ["SiteInput.name"] = new(MaxLength: 200),
        ["BookingInput.reason"] = new(MaxLength: Bookings.PatientValidation.MaxReasonLength, Description: "Why the patient needs to be seen, in a few words."),
        ["CancellationInput.reason"] = new(MaxLength: Bookings.PatientValidation.MaxReasonLength),
        ["ins"] = new(Pattern: "^[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{8}$", Description: "INS (NIR): 15 characters, the last two the key."),
        ["secret"] = new(MinLength: 16, MaxLength: 200, Description: "Signs each delivery (HMAC-SHA256); never shown back."),
        ["url"] = new(Format: "uri", MaxLength: 500),
        ["label"] = new(MaxLength: 100), ["holdId"] = new(MaxLength: 64),
        ["operator"] = new(Pattern: Sas.Domain.Bookings.BookingRules.OperatorPattern, Description: "The regulator's national identifier (IDNPS), sent to the national platform."),
        ["operatorAccount"] = new(Pattern: Sas.Domain.Bookings.BookingRules.OperatorPattern, Description: "For a regulator without an IDNPS: the SAS platform's technical id of the regulator's account (created here by the platform, flow INT_R02), sent back to the platform with the appointment."),
        ["role"] = new(Enum: Roles.All),
        ["events"] = new(Enum: WebhookEndpoints.Events), ["eventType"] = new(Enum: [.. WebhookEndpoints.Events, WebhookVerifier.EventType]),
        ["DeliveryDto.status"] = new(Enum: DeliveryStatuses),
        ["SyncConflictDto.reason"] = new(Enum: SyncConflictReasons),
        ["FillRateReport.groupBy"] = new(Enum: GroupBys),
        ["profession"] = new(Enum: Sas.Domain.Professions.Professions.Names),
        ["specialty"] = new(Pattern: Sas.Domain.Professions.Professions.SpecialtyPattern),
        ["overflowPerDay"] = new(Minimum: 0, Maximum: 50), ["bookingHorizonHours"] = new(Minimum: 1, Maximum: 168),
        ["communes"] = new(Pattern: InseeCode.Pattern), ["postalCodes"] = new(Pattern: InseeCode.PostalCodePattern),
        ["timeZone"] = new(Description: "An IANA time zone (Europe/Paris, Indian/Reunion…)."),
        ["client"] = new(Description: "The receiving client's id, or sas-platform for the national platform."),
    };

    /// <summary>Rules for query, path and header parameters, by name.</summary>
    public static readonly Dictionary<string, Rule> Parameters = new(StringComparer.Ordinal)
    {
        ["limit"] = new(Minimum: 1, Maximum: Paging.MaxLimit, Description: $"Items per page, {Paging.DefaultLimit} when absent."),
        ["after"] = new(MaxLength: 200, Description: "The `next` cursor of the previous page (opaque)."),
        ["profession"] = new(MaxLength: 200, Description: $"The professions to find, comma-separated ({string.Join(", ", Sas.Domain.Professions.Professions.Names)}); general_practitioner when absent, as before other professions existed."),
        ["/v1/reports.profession"] = new(MaxLength: 200, Description: $"Only these professions' professionals, comma-separated ({string.Join(", ", Sas.Domain.Professions.Professions.Names)}); every profession when absent, or those a CPTS's scope is limited to."),
        ["specialty"] = new(Pattern: Sas.Domain.Professions.Professions.SpecialtyPattern, Description: "A physician's specialty (TRE_R38, e.g. SM40): only with profession=physician, which it implies when profession is absent."),
        ["from"] = Instant, ["to"] = Instant,
        ["rpps"] = ProfessionalRule, ["finess"] = FinessRule, ["cpts"] = FinessRule, ["inseeCode"] = InseeRule, ["commune"] = InseeRule,
        ["postalCode"] = new(Pattern: InseeCode.PostalCodePattern), ["code"] = CodeRule, ["sector"] = CodeRule,
        ["modality"] = new(Enum: Modalities), ["groupBy"] = new(Enum: GroupBys, Description: "day when absent."),
        ["format"] = new(Enum: ReportFormats, Description: "json when absent (or text/csv in Accept); excel-fr: semicolons, decimal commas, UTF-8 with a BOM."),
        ["status"] = new(Enum: DeliveryStatuses),
        ["client"] = new(MaxLength: 64, Description: "Admin only: one recipient's deliveries (sas-platform for the national platform)."),
        ["holdId"] = new(MaxLength: 64), ["keyId"] = new(MaxLength: 64),
        ["entity"] = new(MaxLength: 20), ["id"] = new(MaxLength: 64),
        [Bookings.BookingEndpoints.IdempotencyHeader] = new(MinLength: 1, MaxLength: Bookings.Idempotency.MaxKeyLength,
            Description: "One per booking attempt, kept 24 hours per client: the same key with the same body answers the first answer again (with Idempotent-Replayed: true), with another body 422 idempotency_key_reused."),
    };

    /// <summary>A parameter's rule: the one of its route family (<c>/v1/reports.profession</c>) first, then its name's.</summary>
    public static Rule? ForParameter(string path, string name)
    {
        var family = path.IndexOf('/', "/v1/".Length) is var slash and > 0 ? path[..slash] : path;
        return Parameters.GetValueOrDefault(family + "." + name) ?? Parameters.GetValueOrDefault(name);
    }

    public static Rule? ForProperty(string type, string property) =>
        Properties.GetValueOrDefault(type + "." + property) ?? Properties.GetValueOrDefault(property);
}
