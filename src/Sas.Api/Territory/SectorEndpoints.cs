using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Territory;

public static class SectorEndpoints
{
    public static RouteGroupBuilder MapSectors(this RouteGroupBuilder v1)
    {
        var sectors = v1.MapGroup("/sectors").WithTags("Territory");

        sectors.MapPut("/{code}", PutSector).WithName(nameof(PutSector)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Create or replace a sector (admin)").RequireAuthorization(Policies.Admin).ProducesErrors(E.ValidationFailed);
        sectors.MapGet("/", ListSectors).WithName(nameof(ListSectors))
            .WithSummary("List sectors (any role)").ProducesErrors(E.ValidationFailed);
        sectors.MapGet("/{code}", GetSector).WithName(nameof(GetSector))
            .WithSummary("Read a sector (any role)").ProducesErrors(E.SectorNotFound);

        return v1;
    }

    public readonly record struct Services(TerritoryStore Store, Geography Geography);

    public static async Task<Results<Created<SectorDto>, Ok<SectorDto>, ProblemHttpResult>> PutSector(
        string code, SectorInput input, System.Security.Claims.ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!EndpointConventions.IsValidCode(code)) errors.Add("code", "must be 1 to 64 letters, digits, '-', '_', '.' or ':'");
        errors.Text("name", input.Name, 200);
        var department = s.Geography.FindDepartment(input.Department);
        if (errors.Required(input.Department, "department") && department is null) errors.Add("department", "is not a known département code");
        var communes = input.Communes?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (errors.Required(input.Communes, "communes") && communes.Length == 0) errors.Add("communes", "must list at least one INSEE commune code");
        if (communes.Length > 2000) errors.Add("communes", "lists more than 2000 communes");
        for (var i = 0; i < communes.Length && i < 2000; i++)
            if (s.Geography.FindCommune(communes[i]) is null) errors.Add($"communes[{i}]", $"'{Truncate(communes[i])}' is not a known INSEE commune code");
        if (input.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone, out _))
            errors.Add("timeZone", "is not a known IANA time zone");
        if (input.BookingHorizonHours is < 1 or > 168) errors.Add("bookingHorizonHours", "must be between 1 and 168 hours");
        if (input.Cpts is not null)
        {
            if (!Finess.IsValid(input.Cpts)) errors.Add("cpts", "is not a valid FINESS number");
            else if (await s.Store.GetCptsAsync(input.Cpts, ct) is null) errors.Add("cpts", "is not a known CPTS; create it first with PUT /v1/cpts/{finess}");
        }
        if (errors.Any) return errors.ToProblem();

        var row = new SectorRow(code, input.Name!.Trim(), department!.Code, input.TimeZone ?? department.TimeZone,
            input.BookingHorizonHours ?? TerritorySnapshot.DefaultHorizonHours, input.Cpts);
        var created = await s.Store.UpsertSectorAsync(row, communes, Caller.From(user), ct);
        var dto = ToDto(row, communes.Order(StringComparer.Ordinal).ToArray());
        return created ? TypedResults.Created($"/v1/sectors/{code}", dto) : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<Page<SectorDto>>, ProblemHttpResult>> ListSectors(
        int? limit, string? after, TerritoryStore store, CancellationToken ct)
    {
        if (!Paging.IsValidLimit(limit)) return Problems.Field("limit", $"must be between 1 and {Paging.MaxLimit}");
        if (!Paging.TryDecode(after, out var afterCode)) return Problems.Field("after", "is not a cursor this API gave");
        var take = Paging.Limit(limit);
        var rows = await store.ListSectorsAsync(afterCode, take + 1, ct);
        var page = rows.Take(take).ToList();
        var communes = await store.CommunesOfSectorsAsync(page.Select(r => r.Code).ToList(), ct);
        var next = rows.Count > take ? Paging.Encode(page[^1].Code) : null;
        return TypedResults.Ok(new Page<SectorDto>(page.Select(r => ToDto(r, communes[r.Code].ToArray())).ToList(), next));
    }

    public static async Task<Results<Ok<SectorDto>, ProblemHttpResult>> GetSector(string code, TerritoryStore store, CancellationToken ct)
    {
        var row = await store.GetSectorAsync(code, ct);
        if (row is null) return Problems.Of(E.SectorNotFound, $"No sector has the code '{Truncate(code)}'.");
        var communes = await store.CommunesOfSectorsAsync([code], ct);
        return TypedResults.Ok(ToDto(row, communes[code].ToArray()));
    }

    private static SectorDto ToDto(SectorRow r, string[] communes) =>
        new(r.Code, r.Name, r.Department, communes, r.TimeZone, (int)r.BookingHorizonHours, r.CptsFiness);

    /// <summary>Echo at most a few characters of a client's value back: enough to find it, never a payload.</summary>
    internal static string Truncate(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";
}
