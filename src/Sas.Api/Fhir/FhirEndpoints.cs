using Hl7.Fhir.Model;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Time;

namespace Sas.Api.Fhir;

/// <summary>
/// The editor side of the ANS "Service d'Accès aux Soins" FHIR guide: the national platform reads our
/// free slots here (flows INT_R01 and INT_R04). Answers and errors are FHIR (Bundle, OperationOutcome),
/// not the problem+json of <c>/v1</c>, because the platform is a FHIR client.
/// </summary>
public static class FhirEndpoints
{
    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirSetup.Path).WithTags("FHIR (SAS platform)");
        fhir.MapGet("/Slot", SearchFhirSlots).WithName(nameof(SearchFhirSlots))
            .WithSummary("Free slots of 1 to 25 GPs for the national SAS platform (mutual TLS; ANS SAS guide v1.2.0)")
            .RequireAuthorization(FhirSetup.Policy)
            .ProducesFhir(200, 400, 401, 403);
        fhir.MapGet("/metadata", GetFhirCapabilities).WithName(nameof(GetFhirCapabilities))
            .WithSummary("The CapabilityStatement of this FHIR interface")
            .AllowAnonymous()
            .ProducesFhir(200);
        return app;
    }

    /// <summary>Declares the answers of a FHIR operation: each a FHIR resource (a Bundle, the resource, or an OperationOutcome).</summary>
    public static RouteHandlerBuilder ProducesFhir(this RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses) route.Produces(status, contentType: FhirCodes.ContentType);
        return route;
    }

    public readonly record struct Services(BookableSlots Bookable, SlotBundleBuilder Builder, FhirOptions Options, TimeProvider Clock, Console.ConsoleOptions Console);

    public static async Task<IResult> SearchFhirSlots(HttpRequest request, [AsParameters] Services s, CancellationToken ct)
    {
        var zone = Sas.Domain.Time.Zones.Find(s.Options.DefaultTimeZone);
        var query = request.Query.SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")));
        var parsed = SlotSearchRequest.Parse(query, zone, strict: WantsStrictHandling(request));
        if (parsed.Request is not { } search) return FhirResult.BadRequest(parsed.Errors);

        // Only what a regulator could book now (BookableSlots).
        var now = s.Clock.GetUtcNow().UtcDateTime;
        var bookable = await s.Bookable.ForAsync(search.RppsNumbers, search.FromUtc, search.ToUtc, ct);

        // A page: the slots after the cursor (answer order: start, then id), at most _count of them; the next link
        // carries the last one's cursor. Bundle.total counts every page.
        var rest = search.After is { } after ? bookable.Where(f => after.Precedes(f.Slot.StartUtc, f.Slot.Id)).ToList() : bookable;
        var page = rest.Take(search.Count).ToList();
        var baseUrl = BaseUrl(request, s.Options);
        // Nothing ignored: the request is the search as applied, as it came.
        var self = parsed.IgnoredAny ? SearchLink(baseUrl, request, parsed.Applied, null) : $"{baseUrl}{request.Path}{request.QueryString}";
        var next = rest.Count > page.Count ? SearchLink(baseUrl, request, parsed.Applied, new TimeCursor(page[^1].Slot.StartUtc, page[^1].Slot.Id)) : null;
        return s.Builder.Build(page, new SlotBundleBuilder.Context(search, self, baseUrl, now, bookable.Count, next, parsed.Warnings, s.Console.AgendaBase(baseUrl)));
    }

    /// <summary>RFC 7240's <c>Prefer: handling=strict</c>: the client wants unsupported parameters refused, not ignored.</summary>
    private static bool WantsStrictHandling(HttpRequest request) =>
        request.Headers["Prefer"].Any(v => v is not null && v.Split(',', StringSplitOptions.TrimEntries).Any(p => p.Equals("handling=strict", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The search as it was applied: the request's own parameters, as it wrote them, less those ignored (FHIR
    /// search's self link says what was searched); for the next link, with the page's cursor instead of the request's.
    /// </summary>
    private static string SearchLink(string baseUrl, HttpRequest request, IReadOnlySet<(string Key, string Value)> applied, TimeCursor? cursor)
    {
        static (string Key, string Value) Decoded(string segment)
        {
            var eq = segment.IndexOf('=');
            static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
            return eq < 0 ? (Unescape(segment), "") : (Unescape(segment[..eq]), Unescape(segment[(eq + 1)..]));
        }
        var kept = (request.QueryString.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => applied.Contains(Decoded(p)))
            .Where(p => cursor is null || Decoded(p).Key != SlotSearchRequest.CursorParameter)
            .ToList();
        if (cursor is { } c) kept.Add($"{SlotSearchRequest.CursorParameter}={Uri.EscapeDataString(c.ToString())}");
        return $"{baseUrl}{request.Path}" + (kept.Count > 0 ? "?" + string.Join('&', kept) : "");
    }

    /// <summary>
    /// What this FHIR interface does, as the platform and the test kit read it: the guide's editor capability statement
    /// it instantiates, the slot search with its parameters and includes (lenient by default, strict on request), and
    /// the regulator accounts of flow INT_R02.
    /// </summary>
    public static FhirResult GetFhirCapabilities(HttpRequest request, FhirOptions options) => FhirResult.Ok(new CapabilityStatement
    {
        Status = PublicationStatus.Active,
        Date = "2026-12-02",
        Kind = CapabilityStatementKind.Instance,
        Instantiates = [FhirCodes.EditorCapabilityStatement],
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [FhirCodes.ContentType],
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "SAS booking API", Url = BaseUrl(request, options) + "/fhir" },
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Security = new CapabilityStatement.SecurityComponent { Description = "Mutual TLS with an IGC-Santé certificate of the SAS platform" },
                Resource =
                [
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = ResourceType.Slot.ToString(),
                        Profile = FhirCodes.SlotProfile,
                        SupportedProfile = [FhirCodes.CptsSlotProfile],
                        Interaction = [new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.SearchType }],
                        SearchInclude = SlotSearchRequest.Includes,
                        SearchRevInclude = [],
                        SearchParam =
                        [
                            new CapabilityStatement.SearchParamComponent { Name = "start", Type = SearchParamType.Date, Definition = "https://interop.esante.gouv.fr/ig/fhir/sas/SearchParameter/slot-sp-start", Documentation = "Both bounds: ge and le (gt, lt, eq too); at most 31 days" },
                            new CapabilityStatement.SearchParamComponent { Name = "status", Type = SearchParamType.Token, Documentation = "free only: no other slot is ever sent" },
                            new CapabilityStatement.SearchParamComponent { Name = SlotSearchRequest.PractitionerIdentifier, Type = SearchParamType.Token, Documentation = $"1 to {SlotSearchRequest.MaxPractitioners} IDNPS, comma-separated; an unusable one is reported in an OperationOutcome entry (search mode outcome) and the others are answered" },
                            new CapabilityStatement.SearchParamComponent { Name = "_count", Type = SearchParamType.Number, Documentation = $"Slots per page, at most {SlotSearchRequest.MaxCount}; the next link carries the rest" },
                        ],
                        Documentation = "Lenient search: parameters and includes not listed here are ignored and left out of the self link, unless the request says Prefer: handling=strict. "
                            + $"Iterated includes: {string.Join(", ", SlotSearchRequest.IterateIncludes)}.",
                    },
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = ResourceType.Practitioner.ToString(),
                        Profile = FhirCodes.RegulatorProfile,
                        Interaction =
                        [
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Create },
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Update },
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                        ],
                        ConditionalUpdate = true,
                        UpdateCreate = false,
                        Documentation = "Regulator accounts (flow INT_R02): PUT ?identifier=system|value updates the account with that identifier, or creates it.",
                    },
                ],
            },
        ],
    });

    public static string BaseUrl(HttpRequest request, FhirOptions options) =>
        !string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? options.PublicBaseUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}{request.PathBase}";
}
