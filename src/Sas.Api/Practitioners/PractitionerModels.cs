namespace Sas.Api.Practitioners;

public sealed record SiteInput(string Id, string Name, string Address, string Commune);

public sealed record PractitionerInput(
    string FirstName,
    string LastName,
    string[] Sectors,
    SiteInput[] Sites,
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
