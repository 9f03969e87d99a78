using Sas.Domain.Slots;

namespace Sas.Api.Search;

public sealed record SearchPractitionerDto(string Rpps, string FirstName, string LastName);


/// <summary>A bookable slot with what a regulator tells the patient: who, where, when.</summary>
public sealed record SearchItemDto(
    long Id,
    string Start,
    string End,
    string TimeZone,
    Modality Modality,
    SlotStatus Status,
    string Sector,
    SearchPractitionerDto Practitioner,
    Practitioners.SiteDto Site);
