using System.Globalization;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Professions;
using Sas.Domain.Slots;
using Sas.Domain.Time;
using Sas.Domain.Validation;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Search;

/// <summary>A page of bookable slots, and the sectors the search covered (the console offers their overflow places).</summary>
public sealed record Found(Page<SearchItemDto> Page, IReadOnlyList<SectorRow> Sectors);

/// <summary>
/// The search use case: bookable slots of a sector, commune or postal code in the caller's scope, soonest first, each
/// sector up to its own booking horizon; for the API and the console alike.
/// </summary>
public sealed class SearchService(SearchStore store, TerritoryStore territory, Geography geography, BookingOptions booking, TimeProvider clock,
    Infrastructure.Telemetry.SasMetrics metrics)
{
    public async Task<Result<Found>> SearchAsync(SearchEndpoints.SearchParameters q, Caller caller, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        CheckPlace(q.Sector, q.Commune, q.PostalCode, errors);
        var from = errors.Instant("from", q.From, required: false);
        var to = errors.Instant("to", q.To, required: false);
        if (from is not null && to is not null && to <= from) errors.Add("to", "must be after from");
        Modality? modality = null;
        if (q.Modality is not null)
        {
            if (SlotText.TryParseModality(q.Modality, out var m)) modality = m;
            else errors.Add("modality", "must be in_person, teleconsultation or home_visit");
        }
        if (!Paging.IsValidLimit(q.Limit)) errors.Add("limit", FieldRules.LimitBetween(1, Paging.MaxLimit));
        var after = Paging.ReadTimeCursor(q.After, errors);
        long afterId = 0;
        if (after is { } cursor && !cursor.TryGetNumber(out afterId)) errors.Add("after", FieldRules.NotACursor);
        var only = ProfessionsAsked(q.Profession, q.Specialty, errors);
        if (errors.Any) return Result<Found>.Rejected(errors);
        if (caller.Professions is { } covered)
        {
            // A regulator limited to some professions finds theirs when it names none, and may not ask for others.
            if (q.Profession is null && q.Specialty is null) only = new ProfessionFilter(covered);
            else if (caller.ProfessionOutside(only!.Professions) is { } outside) return Result<Found>.Refused(E.ForbiddenScope, Caller.ProfessionRefusal(outside));
        }

        var scoped = await SectorsInScopeAsync(q.Sector, q.Commune, q.PostalCode, caller, ct);
        if (!scoped.Succeeded) return scoped.As<Found>();
        var inScope = scoped.Value;

        // Each sector's horizon bounds its own slots.
        var now = clock.GetUtcNow().UtcDateTime;
        var earliest = now + booking.CutOff; // the cut-off is the same for every sector; horizons differ
        var start = from is { } f && f > earliest ? f : earliest;
        var bounds = new List<SectorBound>(inScope.Count);
        for (var i = 0; i < inScope.Count; i++) // by index: a foreach over the interface allocates its enumerator
        {
            var x = inScope[i];
            var until = booking.WindowFor((int)x.BookingHorizonHours).LatestStart(now);
            var bound = new SectorBound(x.Code, to is { } t && t <= until ? t.AddTicks(-TimeSpan.TicksPerSecond) : until);
            if (bound.UntilUtc >= start) bounds.Add(bound);
        }

        metrics.Search(q.Sector is not null ? "sector" : q.Commune is not null ? "commune" : "postal_code");
        var limit = Paging.Limit(q.Limit);
        var rows = await store.SearchAsync(new SearchQuery(bounds, start, now, caller.ClientId, modality, after is { } a ? (a.At, afterId) : null, limit + 1, only), ct);
        var items = new List<SearchItemDto>(Math.Min(rows.Count, limit));
        for (var i = 0; i < items.Capacity; i++) items.Add(ToDto(rows[i], TimeZoneOf(inScope, rows[i].SectorCode), now, geography));
        var next = rows.Count > limit ? Paging.Encode(new TimeCursor(rows[limit - 1].StartUtc, rows[limit - 1].Id)) : null;
        return new Found(new Page<SearchItemDto>(items, next), inScope);
    }

    /// <summary>
    /// The professions a search finds: those listed (comma-separated), general practitioners when none is (what every
    /// search found before other professions existed: a client that never names one keeps getting GPs only).
    /// </summary>
    private static ProfessionFilter? ProfessionsAsked(string? profession, string? specialty, ValidationErrors errors)
    {
        if (profession is null && specialty is null) return ProfessionFilter.Default;
        if (errors.ProfessionList(profession ?? Professions.Physician.Name) is not { } names) return null;
        if (specialty is not null && (names is not [var only] || Professions.SpecialtyProblem(Professions.Find(only)!, specialty) is not null))
        {
            errors.Add("specialty", $"goes with profession={Professions.Physician.Name} only, as a TRE_R38 code other than SM54 (e.g. SM40)");
            return null;
        }
        return new ProfessionFilter(names, specialty);
    }

    /// <summary>A place searched or posted to: exactly one of a sector code, an INSEE commune code, a postal code, each well formed.</summary>
    public void CheckPlace(string? sector, string? commune, string? postalCode, ValidationErrors errors)
    {
        if (new[] { sector, commune, postalCode }.Count(x => x is not null) != 1) errors.Add("sector", "give exactly one of sector, commune or postalCode");
        if (sector is not null && !EndpointConventions.IsValidCode(sector)) errors.Add("sector", "must be a sector code: 1 to 64 letters, digits, '-', '_', '.' or ':'");
        if (commune is not null && !InseeCode.HasValidShape(commune)) errors.Add("commune", "must be an INSEE code: 5 digits, or 2A/2B and 3 digits");
        else if (commune is not null && geography.FindCommune(commune) is null) errors.Add("commune", FieldRules.UnknownCommune);
        if (postalCode is not null && !PostalCodes.HasValidShape(postalCode)) errors.Add("postalCode", "must be 5 digits");
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
    public async Task<Result<IReadOnlyList<SectorRow>>> SectorsInScopeAsync(string? sectorCode, string? commune, string? postalCode, Caller caller, CancellationToken ct)
    {
        IReadOnlyList<SectorRow> sectors;
        if (sectorCode is not null)
        {
            var sector = await territory.CachedSectorAsync(sectorCode, ct);
            if (sector is null) return Result<IReadOnlyList<SectorRow>>.Refused(E.SectorNotFound, $"No sector has the code '{Text.Quoted(sectorCode)}'.");
            sectors = [sector];
        }
        else if (commune is not null) sectors = await territory.CachedSectorsCoveringCommuneAsync(commune, ct);
        else
        {
            var communes = geography.CommunesWithPostalCode(postalCode);
            if (communes.Count == 0) return Result<IReadOnlyList<SectorRow>>.Refused(E.PostalCodeNotFound, $"No commune has the postal code '{Text.Quoted(postalCode)}'.");
            sectors = await territory.CachedSectorsCoveringPostalCodeAsync(postalCode!, communes, ct);
        }
        var inScope = InScope(sectors, caller);
        if (sectors.Count > 0 && inScope.Count == 0) return Result<IReadOnlyList<SectorRow>>.Refused(E.ForbiddenScope, "None of the sectors searched is in this regulator's scope.");
        return Result<IReadOnlyList<SectorRow>>.From(inScope);
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
            new SearchPractitionerDto(g.Rpps, g.FirstName, g.LastName, g.Profession, g.Specialty),
            new Practitioners.SiteDto(g.SiteId, g.SiteName, g.SiteAddress, CommuneRefDto.Of(geography, g.SiteCommune)!));
        Wire.AddOrUpdate(g, wire);
        return wire;
    }
}
