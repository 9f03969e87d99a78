namespace Sas.Api.Practitioners;

// Inputs: every member may be missing or null on the wire, so that the validator names every missing field at once
// (422, with its full path) instead of the JSON reader stopping at the first (400).

public sealed record SiteInput(string? Id = null, string? Name = null, string? Address = null, string? Commune = null);

public sealed record PractitionerInput(
    string? FirstName = null,
    string? LastName = null,
    string[]? Sectors = null,
    SiteInput[]? Sites = null,
    string? Profession = null,
    int OverflowPerDay = 0);

public sealed record SiteDto(string Id, string Name, string Address, string Commune);

public sealed record PractitionerDto(
    string Rpps,
    string FirstName,
    string LastName,
    string Profession,
    string[] Sectors,
    SiteDto[] Sites,
    int OverflowPerDay);
