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
        [FromQuery(Name = "after")] string? After);

    public readonly record struct Services(SearchStore Search, TerritoryStore Territory, Geography Geography, BookingOptions Booking, TimeProvider Clock, Infrastructure.Telemetry.SasMetrics Metrics);

    public static async Task<Results<Ok<Page<SearchItemDto>>, ProblemHttpResult>> SearchSlots(
        [AsParameters] SearchParameters q, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var places = new[] { q.Sector, q.Commune, q.PostalCode }.Count(x => x is not null);
        if (places != 1) errors.Add("sector", "give exactly one of sector, commune or postalCode");
        if (q.Commune is not null && !InseeCode.HasValidShape(q.Commune)) errors.Add("commune", "must be an INSEE code: 5 digits, or 2A/2B and 3 digits");
        else if (q.Commune is not null && s.Geography.FindCommune(q.Commune) is null) errors.Add("commune", "is not a known INSEE commune code");
        if (q.PostalCode is not null && !CommuneEndpoints.PostalCode().IsMatch(q.PostalCode)) errors.Add("postalCode", "must be 5 digits");
        var from = errors.Instant("from", q.From, required: false);
        var to = errors.Instant("to", q.To, required: false);
        if (from is not null && to is not null && to <= from) errors.Add("to", "must be after from");
        Modality? modality = null;
        if (q.Modality is not null)
        {
            if (SlotText.TryParseModality(q.Modality, out var m)) modality = m;
            else errors.Add("modality", "must be in_person, teleconsultation or home_visit");
        }
        if (!Paging.IsValidLimit(q.Limit)) errors.Add("limit", $"must be between 1 and {Paging.MaxLimit}");
        var after = DecodeCursor(q.After);
        if (q.After is not null && after is null) errors.Add("after", "is not a cursor this API gave");
        if (errors.Any) return errors.ToProblem();

        var caller = Caller.From(user);
        var (inScope, refused) = await SectorsInScopeAsync(q.Sector, q.Commune, q.PostalCode, caller, s, ct);
        if (refused is not null) return refused;

        // Each sector's horizon bounds its own slots.
        var now = s.Clock.GetUtcNow().UtcDateTime;
        var earliest = now + s.Booking.CutOff; // the cut-off is the same for every sector; horizons differ
        var start = from is { } f && f > earliest ? f : earliest;
        var bounds = new List<SectorBound>(inScope.Count);
        for (var i = 0; i < inScope.Count; i++) // by index: a foreach over the interface allocates its enumerator
        {
            var x = inScope[i];
            var until = s.Booking.WindowFor((int)x.BookingHorizonHours).LatestStart(now);
            var bound = new SectorBound(x.Code, to is { } t && t <= until ? t.AddTicks(-TimeSpan.TicksPerSecond) : until);
            if (bound.UntilUtc >= start) bounds.Add(bound);
        }

        s.Metrics.Search(q.Sector is not null ? "sector" : q.Commune is not null ? "commune" : "postal_code");
        var limit = Paging.Limit(q.Limit);
        var rows = await s.Search.SearchAsync(new SearchQuery(bounds, start, now, caller.ClientId, modality, after, limit + 1), ct);
        var items = new List<SearchItemDto>(Math.Min(rows.Count, limit));
        for (var i = 0; i < items.Capacity; i++) items.Add(ToDto(rows[i], TimeZoneOf(inScope, rows[i].SectorCode), now, s.Geography));
        var next = rows.Count > limit ? EncodeCursor(rows[limit - 1]) : null;
        return TypedResults.Ok(new Page<SearchItemDto>(items, next));
    }

    /// <summary>A sector's zone among the few searched (a loop: a dictionary per search cost more than it saved).</summary>
    private static string TimeZoneOf(IReadOnlyList<SectorRow> sectors, string code)
    {
        for (var i = 0; i < sectors.Count; i++)
            if (sectors[i].Code == code) return sectors[i].TimeZone;
        throw new InvalidOperationException($"a row of sector {code}, which was not searched");
    }

    /// <summary>
    /// The sectors a search covers: the one named, or those covering the commune (or the postal code's communes); then
    /// only those in the caller's scope. A problem when the sector or postal code is unknown, or none is in scope.
    /// </summary>
    public static async Task<(IReadOnlyList<SectorRow> InScope, ProblemHttpResult? Refused)> SectorsInScopeAsync(
        string? sectorCode, string? commune, string? postalCode, Caller caller, Services s, CancellationToken ct)
    {
        IReadOnlyList<SectorRow> sectors;
        if (sectorCode is not null)
        {
            var sector = await s.Territory.CachedSectorAsync(sectorCode, ct);
            if (sector is null) return ([], Problems.NotFound("sector_not_found", $"No sector has the code '{SectorEndpoints.Truncate(sectorCode)}'."));
            sectors = [sector];
        }
        else if (commune is not null) sectors = await s.Territory.CachedSectorsCoveringCommuneAsync(commune, ct);
        else
        {
            var communes = s.Geography.CommunesWithPostalCode(postalCode);
            if (communes.Count == 0) return ([], Problems.NotFound("postal_code_not_found", $"No commune has the postal code '{postalCode}'."));
            sectors = await s.Territory.CachedSectorsCoveringPostalCodeAsync(postalCode!, communes, ct);
        }
        var inScope = InScope(sectors, caller);
        if (sectors.Count > 0 && inScope.Count == 0) return ([], Problems.Forbidden("None of the sectors searched is in this regulator's scope."));
        return (inScope, null);
    }

    /// <summary>The sectors the caller covers: the (shared, cached) list itself when it covers them all, as it mostly does.</summary>
    private static IReadOnlyList<SectorRow> InScope(IReadOnlyList<SectorRow> sectors, Caller caller)
    {
        for (var i = 0; i < sectors.Count; i++)
            if (!caller.CoversSector(sectors[i].Code, sectors[i].Department))
                return [.. sectors.Where(x => caller.CoversSector(x.Code, x.Department))];
        return sectors;
    }

    private static SearchItemDto ToDto(SearchRow r, string timeZone, DateTime now, Geography geography)
    {
        var (practitioner, site) = WireOf(r.GpSite, geography);
        return new SearchItemDto(r.Id, r.StartUtc, r.EndUtc, timeZone, r.Modality,
            SlotLife.Effective(r.Status, r.HoldExpiresAt, now), r.SectorCode, practitioner, site);
    }

    private sealed record GpSiteWire(SearchPractitionerDto Practitioner, Practitioners.SiteDto Site);

    /// <summary>The wire form of a GP and site, made once per version the node holds (the answers share it, read only).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<GpSite, GpSiteWire> Wire = [];

    private static GpSiteWire WireOf(GpSite g, Geography geography)
    {
        if (Wire.TryGetValue(g, out var wire)) return wire;
        wire = new GpSiteWire(
            new SearchPractitionerDto(g.Rpps, g.FirstName, g.LastName),
            new Practitioners.SiteDto(g.SiteId, g.SiteName, g.SiteAddress, CommuneRefDto.Of(geography, g.SiteCommune)!));
        Wire.AddOrUpdate(g, wire);
        return wire;
    }

    private static string EncodeCursor(SearchRow r) => Paging.Encode($"{r.StartUtc.Ticks}:{r.Id}");

    private static (DateTime Start, long Id)? DecodeCursor(string? cursor)
    {
        if (cursor is null || !Paging.TryDecode(cursor, out var key)) return null;
        var parts = key.Split(':');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks >= Instants.Earliest.Ticks && ticks < Instants.Latest.Ticks
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? (new DateTime(ticks, DateTimeKind.Utc), id)
            : null;
    }
}
