using System.Text.Json.Serialization;
using Sas.Api.Infrastructure.Json;
using Sas.Domain.Slots;

namespace Sas.Api.Search;

/// <summary>Who the slot is with: <c>specialty</c> is a physician's (TRE_R38), null for every other profession.</summary>
public sealed record SearchPractitionerDto(string Rpps, string FirstName, string LastName, string Profession, string? Specialty);


/// <summary>A bookable slot with what a regulator tells the patient: who, where, when.</summary>
public sealed record SearchItemDto(
    long Id,
    [property: JsonConverter(typeof(WireInstantConverter))] DateTime Start,
    [property: JsonConverter(typeof(WireInstantConverter))] DateTime End,
    string TimeZone,
    Modality Modality,
    SlotStatus Status,
    string Sector,
    SearchPractitionerDto Practitioner,
    Practitioners.SiteDto Site);
