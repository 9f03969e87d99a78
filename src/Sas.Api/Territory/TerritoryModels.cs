namespace Sas.Api.Territory;

// Wire types: what integrations send and receive. Stored rows are in TerritoryStore.

// Inputs: members may be missing on the wire; the validators name every missing one at once (422).

public sealed record SectorInput(
    string? Name = null,
    string? Department = null,
    string[]? Communes = null,
    string? TimeZone = null,
    int? BookingHorizonHours = null,
    string? Cpts = null);

public sealed record SectorDto(
    string Code,
    string Name,
    string Department,
    string[] Communes,
    string TimeZone,
    int BookingHorizonHours,
    string? Cpts);

public sealed record CptsInput(string? Name = null, string[]? Sectors = null);

public sealed record CptsDto(string Finess, string Name, string[] Sectors);

public sealed record CommuneDto(
    string InseeCode,
    string Name,
    string Department,
    string[] PostalCodes,
    int Population,
    string TimeZone,
    string[] Sectors);

