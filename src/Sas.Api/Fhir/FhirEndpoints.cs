using Hl7.Fhir.Model;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Fhir;

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
        var fhir = app.MapGroup("/fhir").WithTags("FHIR (SAS platform)");
        fhir.MapGet("/Slot", SearchFhirSlots).WithName(nameof(SearchFhirSlots))
            .WithSummary("Free slots of 1 to 25 GPs for the national SAS platform (mutual TLS; ANS SAS guide v1.2.0)")
            .RequireAuthorization(FhirSetup.Policy)
            .Produces(StatusCodes.Status200OK, contentType: FhirCodes.ContentType)
            .Produces(StatusCodes.Status400BadRequest, contentType: FhirCodes.ContentType)
            .Produces(StatusCodes.Status401Unauthorized, contentType: FhirCodes.ContentType)
            .Produces(StatusCodes.Status403Forbidden, contentType: FhirCodes.ContentType);
        fhir.MapGet("/metadata", GetFhirCapabilities).WithName(nameof(GetFhirCapabilities))
            .WithSummary("The CapabilityStatement of this FHIR interface")
            .AllowAnonymous()
            .Produces(StatusCodes.Status200OK, contentType: FhirCodes.ContentType);
        return app;
    }

    public readonly record struct Services(FhirSlotStore Store, TerritoryStore Territory, SlotBundleBuilder Builder, FhirOptions Options, BookingOptions Booking, TimeProvider Clock);

    public static async Task<IResult> SearchFhirSlots(HttpRequest request, [AsParameters] Services s, CancellationToken ct)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(s.Options.DefaultTimeZone);
        var query = request.Query.SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")));
        var (search, issues) = SlotSearchRequest.Parse(query, zone);
        if (search is null) return FhirResult.BadRequest(issues);

        // Only what a regulator could book now: after the cut-off, within each sector's booking horizon. The
        // database is asked up to the longest horizon of any sector (the guide's now..D+2 holds twice what a
        // 24-hour sector offers), and each slot is then held to its own sector's.
        var now = s.Clock.GetUtcNow().UtcDateTime;
        var earliest = now + s.Booking.CutOff;
        var from = search.FromUtc > earliest ? search.FromUtc : earliest;
        var territory = await s.Territory.CachedTerritoryAsync(ct);
        var longest = s.Booking.WindowFor((int)territory.LongestBookingHorizonHours).LatestStart(now);
        var to = search.ToUtc < longest ? search.ToUtc : longest;
        var (rows, practices) = from > to ? ([], []) : await s.Store.FreeSlotsAsync(search.RppsNumbers, from, to, now, ct);
        if (rows.Count > 0) territory = await s.Territory.CachedTerritoryWithAsync(rows.Select(r => r.SectorCode).Distinct(StringComparer.Ordinal), ct);
        var bookable = FreeSlot.Join(rows, practices, territory)
            .Where(f => f.Slot.StartUtc >= from && f.Slot.StartUtc <= s.Booking.WindowFor((int)f.Sector.BookingHorizonHours).LatestStart(now)).ToList();

        var baseUrl = BaseUrl(request, s.Options);
        var self = $"{baseUrl}{request.Path}{request.QueryString}";
        return s.Builder.Build(bookable.Take(search.Count).ToList(), new SlotBundleBuilder.Context(search, self, baseUrl, now, bookable.Count));
    }

    public static FhirResult GetFhirCapabilities(HttpRequest request, FhirOptions options) => FhirResult.Ok(new CapabilityStatement
    {
        Status = PublicationStatus.Active,
        Date = "2026-11-23",
        Kind = CapabilityStatementKind.Instance,
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
                        Interaction = [new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.SearchType }],
                        SearchInclude = ["Slot:schedule", "Slot:service-type-reference"],
                        SearchRevInclude = [],
                        SearchParam =
                        [
                            new CapabilityStatement.SearchParamComponent { Name = "start", Type = SearchParamType.Date },
                            new CapabilityStatement.SearchParamComponent { Name = "status", Type = SearchParamType.Token },
                            new CapabilityStatement.SearchParamComponent { Name = SlotSearchRequest.PractitionerIdentifier, Type = SearchParamType.Token },
                        ],
                    },
                ],
            },
        ],
    });

    private static string BaseUrl(HttpRequest request, FhirOptions options) =>
        !string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? options.PublicBaseUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}{request.PathBase}";
}
