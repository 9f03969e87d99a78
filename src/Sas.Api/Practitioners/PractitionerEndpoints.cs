using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Professions;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Practitioners;

public static class PractitionerEndpoints
{
    public static RouteGroupBuilder MapPractitioners(this RouteGroupBuilder v1)
    {
        var practitioner = v1.MapGroup("/practitioners/{rpps}").WithTags("Practitioners").RequireAuthorization(Policies.Practitioner, ActsForRouteGp.Policy);

        practitioner.MapPut("", PutPractitioner).WithName(nameof(PutPractitioner)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Create or replace a GP with sectors and sites (the GP's practitioner client, admin)").ProducesErrors(E.ValidationFailed, E.SiteInUse);
        practitioner.MapGet("", GetPractitioner).WithName(nameof(GetPractitioner))
            .WithSummary("Read a GP (the GP's practitioner client, admin)").ProducesErrors(E.PractitionerNotFound);

        return v1;
    }

    public readonly record struct Services(PractitionerStore Store, TerritoryStore Territory, Geography Geography);

    public static async Task<Results<Created<PractitionerDto>, Ok<PractitionerDto>, ProblemHttpResult>> PutPractitioner(
        string rpps, PractitionerInput input, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        if (!ProfessionalId.IsValid(rpps)) return Problems.Field("rpps", "is not a valid RPPS (11 digits, Luhn key) or ADELI number (9 characters, Luhn key)");
        var caller = Caller.From(user);

        var errors = new ValidationErrors();
        errors.Text("firstName", input.FirstName, 100);
        errors.Text("lastName", input.LastName, 100);
        var profession = errors.Profession(input.Profession, input.Specialty);
        if (input.OverflowPerDay is < 0 or > 50) errors.Add("overflowPerDay", "must be between 0 and 50");

        var sectors = input.Sectors?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (errors.Required(input.Sectors, "sectors"))
        {
            if (sectors.Length is 0 or > 50) errors.Add("sectors", "must list 1 to 50 sector codes");
            else if (await s.Territory.CountExistingSectorsAsync(sectors, ct) != sectors.Length) errors.Add("sectors", "names a sector that does not exist");
        }

        var sites = input.Sites ?? [];
        if (errors.Required(input.Sites, "sites") && sites.Length is 0 or > 20) errors.Add("sites", "must list 1 to 20 practice sites");
        for (var i = 0; i < sites.Length && i < 20; i++)
        {
            var site = sites[i];
            if (site is null) { errors.Add($"sites[{i}]", "must not be null"); continue; }
            if (errors.Required(site.Id, $"sites[{i}].id"))
            {
                if (!EndpointConventions.IsValidCode(site.Id)) errors.Add($"sites[{i}].id", "must be 1 to 64 letters, digits, '-', '_', '.' or ':'");
                else if (sites.Take(i).Any(o => o?.Id == site.Id)) errors.Add($"sites[{i}].id", "is used by another site");
            }
            errors.Text($"sites[{i}].name", site.Name, 200);
            errors.Text($"sites[{i}].address", site.Address, 300);
            if (errors.Required(site.Commune, $"sites[{i}].commune"))
            {
                if (s.Geography.FindCommune(site.Commune) is not { } commune) errors.Add($"sites[{i}].commune", "is not a known INSEE commune code");
                else if (commune.PostalCodes.Length == 0) // the French Southern Lands' districts: no post, no practice
                    errors.Add($"sites[{i}].commune", $"has no postal code ({commune.Name}): a practice site's commune has one");
                else if (site.PostalCode is null && commune.PostalCodes.Length > 1)
                    errors.Add($"sites[{i}].postalCode", $"is required: {commune.Name} has several postal codes ({string.Join(", ", commune.PostalCodes)})");
                else if (site.PostalCode is not null && !commune.PostalCodes.Contains(site.PostalCode))
                    errors.Add($"sites[{i}].postalCode", $"is not a postal code of {commune.Name} ({string.Join(", ", commune.PostalCodes)})");
            }
            if (site.Finess is not null && site.Siret is not null) errors.Add($"sites[{i}].siret", "give the structure's FINESS or its SIRET, not both");
            else if (site.Finess is not null && !Finess.IsValid(site.Finess)) errors.Add($"sites[{i}].finess", "is not a FINESS number (9 characters, Luhn key)");
            else if (site.Siret is not null && !Siret.IsValid(site.Siret)) errors.Add($"sites[{i}].siret", "is not a SIRET number (14 digits, Luhn key)");
            if (site.BookingUrl is not null && !IsBookingUrl(site.BookingUrl))
                errors.Add($"sites[{i}].bookingUrl", "must be an absolute https URL of at most 500 characters");
        }
        if (!errors.Any && !caller.IsAdmin)
        {
            // A practice's software enrols its GP where the GP practises: each sector must cover a site's commune.
            // Anywhere else (a neighbouring sector, a SAS rota) is the territory's decision: an admin's.
            var covered = await s.Territory.CommunesOfSectorsAsync(sectors, ct);
            var siteCommunes = sites.Select(x => x.Commune!).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < sectors.Length; i++)
                if (!covered[sectors[i]].Any(siteCommunes.Contains))
                    errors.Add($"sectors[{i}]", "covers none of this GP's sites' communes: only an admin may enrol a GP in a sector where it has no practice site");
        }
        if (errors.Any) return errors.ToProblem();

        var row = new PractitionerRow(rpps, input.FirstName!.Trim(), input.LastName!.Trim(),
            profession!.Name, input.OverflowPerDay, input.Specialty);
        var siteRows = sites.Select(x => new PractitionerSiteRow(rpps, x.Id!, x.Name!.Trim(), x.Address!.Trim(), x.Commune!,
            x.PostalCode ?? s.Geography.FindCommune(x.Commune)!.PostalCodes.Single(), StructureId(x), x.BookingUrl)).ToList();
        var (created, sitesInUse) = await s.Store.UpsertAsync(row, sectors, siteRows, caller, ct);
        if (sitesInUse.Count > 0)
            return Problems.Field("sites", $"leaves out site(s) {string.Join(", ", sitesInUse)} that live slots still use: withdraw them first, or keep the site", E.SiteInUse);
        var dto = ToDto(new Practitioner(row, sectors.Order(StringComparer.Ordinal).ToList(), siteRows.OrderBy(x => x.SiteId, StringComparer.Ordinal).ToList()), s.Geography);
        return created ? TypedResults.Created($"/v1/practitioners/{rpps}", dto) : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<PractitionerDto>, ProblemHttpResult>> GetPractitioner(
        string rpps, ClaimsPrincipal user, PractitionerStore store, Geography geography, CancellationToken ct)
    {
        var practitioner = await store.GetAsync(rpps, ct);
        return practitioner is null
            ? Problems.Of(E.PractitionerNotFound)
            : TypedResults.Ok(ToDto(practitioner, geography));
    }

    /// <summary>The structure's IDNST as the guide writes it: 1 + FINESS, 3 + SIRET.</summary>
    private static string? StructureId(SiteInput site) => site.Finess is not null ? "1" + site.Finess : site.Siret is not null ? "3" + site.Siret : null;

    private static bool IsBookingUrl(string url) =>
        url.Length <= 500 && Uri.TryCreate(url.Replace("{slotId}", "0", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    private static PractitionerDto ToDto(Practitioner p, Geography geography) => new(
        p.Row.Rpps, p.Row.FirstName, p.Row.LastName, p.Row.Profession, p.Sectors.ToArray(),
        p.Sites.Select(x => new PracticeSiteDto(x.SiteId, x.Name, x.Address, CommuneRefDto.Of(geography, x.Commune)!,
            x.PostalCode ?? geography.FindCommune(x.Commune)?.PostalCodes.FirstOrDefault() ?? "",
            x.StructureId is ['1', .. var finess] ? finess : null, x.StructureId is ['3', .. var siret] ? siret : null, x.BookingUrl)).ToArray(),
        (int)p.Row.OverflowPerDay, p.Row.Specialty);
}
