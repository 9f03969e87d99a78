using System.ComponentModel.DataAnnotations;
namespace Sas.Api.Territory;

// Wire types: what integrations send and receive. Stored rows are in TerritoryStore.

// Inputs: members may be missing on the wire; the validators name every missing one at once (422).

public sealed record SectorInput(
    [property: Required] string? Name = null,
    [property: Required] string? Department = null,
    [property: Required] string[]? Communes = null,
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

public sealed record CptsInput([property: Required] string? Name = null, [property: Required] string[]? Sectors = null);

public sealed record CptsDto(string Finess, string Name, string[] Sectors);

/// <summary>A commune where an answer names one: its INSEE code and its name (the full commune is <see cref="CommuneDto"/>).</summary>
public sealed record CommuneRefDto(string InseeCode, string Name)
{
    public static CommuneRefDto? Of(Reference.Geography geography, string? inseeCode) =>
        geography.ReferenceOf(inseeCode);
}

public sealed record CommuneDto(
    string InseeCode,
    string Name,
    string Department,
    string[] PostalCodes,
    int Population,
    string TimeZone,
    string[] Sectors);

