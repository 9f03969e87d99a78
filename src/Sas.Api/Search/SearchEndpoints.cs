using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Slots;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Search;

public static class SearchEndpoints
{
    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder v1)
    {
        v1.MapGet("/slots", SearchSlots).WithName(nameof(SearchSlots)).WithTags("Search")
            .WithSummary("Bookable slots of a sector, commune or postal code, soonest first (regulator, admin)")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.ValidationFailed, E.SectorNotFound, E.PostalCodeNotFound);
        return v1;
    }

    /// <summary>The query: exactly one of <c>sector</c>, <c>commune</c>, <c>postalCode</c>; instants with an offset.</summary>
    public sealed record SearchParameters(
        [FromQuery(Name = "sector")] string? Sector,
        [FromQuery(Name = "commune")] string? Commune,
        [FromQuery(Name = "postalCode")] string? PostalCode,
        [FromQuery(Name = "from")] string? From,
        [FromQuery(Name = "to")] string? To,
        [FromQuery(Name = "modality")] string? Modality,
        [FromQuery(Name = "limit")] int? Limit,
        [FromQuery(Name = "after")] string? After,
        [FromQuery(Name = "profession")] string? Profession = null,
        [FromQuery(Name = "specialty")] string? Specialty = null);

    public static async Task<Results<Ok<Page<SearchItemDto>>, ProblemHttpResult>> SearchSlots(
        [AsParameters] SearchParameters q, ClaimsPrincipal user, SearchService search, CancellationToken ct)
    {
        var result = await search.SearchAsync(q, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value.Page) : result.Problem();
    }
}
