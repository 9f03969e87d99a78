using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Territory;

public static partial class CommuneEndpoints
{
    public static RouteGroupBuilder MapCommunes(this RouteGroupBuilder v1)
    {
        var communes = v1.MapGroup("/communes").WithTags("Territory");

        communes.MapGet("/{inseeCode}", GetCommune).WithName(nameof(GetCommune))
            .WithSummary("A commune and the sectors that cover it (any role)").ProducesErrors(E.CommuneNotFound, E.ValidationFailed);
        communes.MapGet("/", ListCommunes).WithName(nameof(ListCommunes))
            .WithSummary("The communes of a postal code and the sectors that cover them (any role)").WithMetadata(new Infrastructure.OpenApi.RequiredParametersMetadata("postalCode")).ProducesErrors(E.PostalCodeNotFound, E.ValidationFailed);

        return v1;
    }

    public readonly record struct Services(TerritoryStore Store, Geography Geography);

    public static async Task<Results<Ok<CommuneDto>, ProblemHttpResult>> GetCommune(string inseeCode, [AsParameters] Services s, CancellationToken ct)
    {
        if (!InseeCode.HasValidShape(inseeCode))
            return Problems.Field("inseeCode", "must be 5 digits, or 2A/2B and 3 digits in Corsica");
        var commune = s.Geography.FindCommune(inseeCode);
        if (commune is null) return Problems.Of(E.CommuneNotFound, $"No commune has the INSEE code '{inseeCode}'.");
        var sectors = await s.Store.SectorsOfCommunesAsync([inseeCode], ct);
        return TypedResults.Ok(ToDto(commune, s.Geography, sectors));
    }

    /// <summary>A page like every list (one page: a postal code has a few communes).</summary>
    public static async Task<Results<Ok<Page<CommuneDto>>, ProblemHttpResult>> ListCommunes(string? postalCode, [AsParameters] Services s, CancellationToken ct)
    {
        if (postalCode is null || !PostalCode().IsMatch(postalCode))
            return Problems.Field("postalCode", "is required and must be 5 digits");
        var communes = s.Geography.CommunesWithPostalCode(postalCode);
        if (communes.Count == 0) return Problems.Of(E.PostalCodeNotFound, $"No commune has the postal code '{postalCode}'.");
        var sectors = await s.Store.SectorsOfCommunesAsync(communes.Select(c => c.InseeCode).ToList(), ct);
        return TypedResults.Ok(new Page<CommuneDto>(communes.Select(c => ToDto(c, s.Geography, sectors)).ToList(), null));
    }

    private static CommuneDto ToDto(Commune c, Geography geography, ILookup<string, string> sectors) =>
        new(c.InseeCode, c.Name, c.Department, c.PostalCodes, c.Population,
            geography.FindDepartment(c.Department)?.TimeZone ?? Sas.Domain.Time.Zones.Mainland, sectors[c.InseeCode].ToArray());

    [GeneratedRegex(InseeCode.PostalCodePattern, RegexOptions.CultureInvariant)]
    internal static partial Regex PostalCode();
}
