using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Domain.Identifiers;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Territory;

public static class CptsEndpoints
{
    public static RouteGroupBuilder MapCpts(this RouteGroupBuilder v1)
    {
        var cpts = v1.MapGroup("/cpts").WithTags("Territory");

        cpts.MapPut("/{finess}", PutCpts).WithName(nameof(PutCpts)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Create or replace a CPTS and its sectors (admin)").RequireAuthorization(Policies.Admin).ProducesErrors(E.ValidationFailed);
        cpts.MapGet("/{finess}", GetCpts).WithName(nameof(GetCpts))
            .WithSummary("Read a CPTS (any role)").ProducesErrors(E.CptsNotFound);

        return v1;
    }

    public static async Task<Results<Created<CptsDto>, Ok<CptsDto>, ProblemHttpResult>> PutCpts(
        string finess, CptsInput input, System.Security.Claims.ClaimsPrincipal user, TerritoryStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!Finess.IsValid(finess)) errors.Add("finess", "is not a valid FINESS number (9 characters, Luhn key)");
        errors.Text("name", input.Name, 200);
        // Required, even empty: a missing list must not replace the CPTS's sectors with none.
        var sectors = input.Sectors?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (errors.Required(input.Sectors, "sectors"))
        {
            if (sectors.Length > 500) errors.Add("sectors", "lists more than 500 sectors");
            else if (await store.CountExistingSectorsAsync(sectors, ct) != sectors.Length) errors.Add("sectors", "names a sector that does not exist");
        }
        if (errors.Any) return errors.ToProblem();

        var created = await store.UpsertCptsAsync(finess, input.Name!.Trim(), sectors, Caller.From(user), ct);
        var dto = new CptsDto(finess, input.Name.Trim(), sectors.Order(StringComparer.Ordinal).ToArray());
        return created ? TypedResults.Created($"/v1/cpts/{finess}", dto) : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<CptsDto>, ProblemHttpResult>> GetCpts(string finess, TerritoryStore store, CancellationToken ct)
    {
        var row = await store.GetCptsAsync(finess, ct);
        if (row is null) return Problems.Of(E.CptsNotFound, $"No CPTS has the FINESS '{SectorEndpoints.Truncate(finess)}'.");
        return TypedResults.Ok(new CptsDto(row.Finess, row.Name, await store.CptsSectorCodesAsync(finess, ct)));
    }
}
