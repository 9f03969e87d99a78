using System.ComponentModel.DataAnnotations;
namespace Sas.Api.Practitioners;

// Inputs: every member may be missing or null on the wire, so that the validator names every missing field at once
// (422, with its full path) instead of the JSON reader stopping at the first (400).

/// <summary>
/// A practice site. <c>postalCode</c> is required where the commune has several (Nantes has four); the structure's
/// national identifier is its FINESS or its SIRET (at most one); <c>bookingUrl</c> is the GP's booking agenda, which
/// the SAS platform shows regulators beside each slot (<c>{slotId}</c> in it is replaced by the slot's id).
/// </summary>
public sealed record SiteInput(
    [property: Required] string? Id = null,
    [property: Required] string? Name = null,
    [property: Required] string? Address = null,
    [property: Required] string? Commune = null,
    string? PostalCode = null,
    string? Finess = null,
    string? Siret = null,
    string? BookingUrl = null);

public sealed record PractitionerInput(
    [property: Required] string? FirstName = null,
    [property: Required] string? LastName = null,
    [property: Required] string[]? Sectors = null,
    [property: Required] SiteInput[]? Sites = null,
    string? Profession = null,
    int OverflowPerDay = 0,
    string? Specialty = null);

/// <summary>A practice site, the same wherever an answer shows one (a GP's sites, a search result).</summary>
public sealed record SiteDto(string Id, string Name, string Address, Territory.CommuneRefDto Commune);

/// <summary>A GP's own practice site, as its practice software gave it.</summary>
public sealed record PracticeSiteDto(string Id, string Name, string Address, Territory.CommuneRefDto Commune, string PostalCode, string? Finess, string? Siret, string? BookingUrl);

public sealed record PractitionerDto(
    string Rpps,
    string FirstName,
    string LastName,
    string Profession,
    string[] Sectors,
    PracticeSiteDto[] Sites,
    int OverflowPerDay,
    string? Specialty);
