using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Sas.Api.Reports;
using Sas.Api.Tests.Support;
using Sas.Client;
using Sas.Client.Models;
using FillRateGroupBy = Sas.Client.V1.Reports.FillRate.GetGroupByQueryParameterType;
using FillRateFormat = Sas.Client.V1.Reports.FillRate.GetFormatQueryParameterType;

namespace Sas.Api.Tests.GeneratedClient;

/// <summary>
/// The README tour through the client Kiota generates from openapi.yaml (SasClient.targets): what a
/// practice-software vendor or a regulator's editor would write. Only typed calls: no cast, no raw request,
/// no JSON by hand. The answers also pass through the contract check.
/// </summary>
public class GeneratedClientTourTests
{
    private const string Rpps = "10000424241";
    private const string Sector = "44-TOUR";

    [Fact]
    public async Task The_readme_tour_runs_through_the_generated_client()
    {
        using var api = new SasApiFactory();
        var admin = Client(api, SasApiFactory.AdminKey);
        var tomorrow = new DateTimeOffset(api.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

        // 1–2. A sector and a GP with one practice site in it.
        await admin.V1.Sectors[Sector].PutAsync(new SectorInput
        {
            Name = "Nantes ouest (tour)", Department = "44", Communes = ["44109", "44162"], BookingHorizonHours = 48,
        });
        var gp = await admin.V1.Practitioners[Rpps].PutAsync(new PractitionerInput
        {
            FirstName = "Camille", LastName = "Tour", Sectors = [Sector], OverflowPerDay = 1,
            Sites = [new SiteInput { Id = "cab", Name = "Cabinet Tour", Address = "1 quai de la Fosse", Commune = "44109", PostalCode = "44000" }],
        });
        Assert.Equal("44109", gp!.Sites![0].Commune!.InseeCode);

        // 3. Two integration clients; each answer shows its key once.
        var practiceKey = (await admin.V1.Clients.PostAsync(new ClientInput { Name = "Logiciel du cabinet", Role = ClientInput_role.Practitioner, Scope = [Rpps] }))!.ApiKey!;
        var regulatorKey = (await admin.V1.Clients.PostAsync(new ClientInput { Name = "SAS 44", Role = ClientInput_role.Regulator, Scope = ["44"] }))!.ApiKey!;
        var practice = Client(api, practiceKey);
        var regulator = Client(api, regulatorKey);

        // 4. The practice software syncs tomorrow; the same call again changes nothing.
        SlotInput Slot(int hour, int minute, string id) => new()
        {
            Start = tomorrow.AddHours(hour).AddMinutes(minute), End = tomorrow.AddHours(hour).AddMinutes(minute + 20),
            Sector = Sector, Site = "cab", Modality = Modality.In_person, ExternalId = id,
        };
        var sync = new SlotSyncInput { Slots = [Slot(9, 0, "rdv-1"), Slot(14, 0, "rdv-2"), Slot(17, 30, "rdv-3")] };
        void Window(Sas.Client.V1.Practitioners.Item.Slots.SlotsRequestBuilder.SlotsRequestBuilderPutQueryParameters q)
        {
            q.From = tomorrow;
            q.To = tomorrow.AddDays(1);
        }
        var first = await practice.V1.Practitioners[Rpps].Slots.PutAsync(sync, c => Window(c.QueryParameters));
        Assert.Equal((3, 0, 0, 0), (first!.Created, first.Updated, first.Unchanged, first.Withdrawn));
        Assert.Empty(first.Conflicts!);
        var again = await practice.V1.Practitioners[Rpps].Slots.PutAsync(sync, c => Window(c.QueryParameters));
        Assert.Equal(3, again!.Unchanged);

        // 5. The regulator searches by the patient's postal code: soonest first, with the site and GP.
        var found = await regulator.V1.Slots.GetAsync(c => { c.QueryParameters.PostalCode = "44000"; c.QueryParameters.Limit = 5; });
        Assert.Equal([tomorrow.AddHours(9), tomorrow.AddHours(14), tomorrow.AddHours(17.5)], found!.Items!.Select(i => i.Start!.Value));
        var soonest = found.Items![0];
        Assert.Equal(("cab", Rpps, "Europe/Paris"), (soonest.Site!.Id, soonest.Practitioner!.Rpps, soonest.TimeZone));

        // 6. Hold, then book with an Idempotency-Key; the same call again answers the same booking, marked replayed.
        var hold = await regulator.V1.Slots[soonest.Id!.Value].Hold.PostAsync();
        Assert.Equal(hold!.HoldId, (await regulator.V1.Holds[hold.HoldId].GetAsync())!.HoldId);
        var booking = new BookingInput
        {
            SlotId = soonest.Id, HoldId = hold.HoldId, Reason = "Fièvre depuis 3 jours",
            RegularDoctor = RegularDoctor.Unavailable, RegularDoctorContacted = true, Origin = Origin.Sas,
            RequestedAt = api.Clock.GetUtcNow(),
            Patient = new PatientInput { LastName = "Durand", FirstName = "Léa", BirthDate = new(1990, 4, 12), Phone = "06 12 34 56 78", Commune = "44109" },
        };
        var idempotencyKey = Guid.NewGuid().ToString();
        var booked = await regulator.V1.Bookings.PostAsync(booking, c => c.Headers.Add("Idempotency-Key", idempotencyKey));
        Assert.Equal((BookingStatus.Booked, "+33612345678", "cab"), (booked!.Status, booked.Patient!.Phone, booked.SiteId));
        Assert.Null(booked.Outcome);
        Assert.Null(booked.Cancellation);

        var replay = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        var replayed = await regulator.V1.Bookings.PostAsync(booking, c => { c.Headers.Add("Idempotency-Key", idempotencyKey); c.Options.Add(replay); });
        Assert.Equal(booked.Id, replayed!.Id);
        Assert.Equal(["true"], replay.ResponseHeaders["Idempotent-Replayed"]);

        // Another regulator trying the slot gets a typed problem with its stable code.
        var otherKey = (await admin.V1.Clients.PostAsync(new ClientInput { Name = "SAS 44 bis", Role = ClientInput_role.Regulator, Scope = ["44"] }))!.ApiKey!;
        var refused = await Assert.ThrowsAsync<Problem>(() => Client(api, otherKey).V1.Slots[soonest.Id.Value].Hold.PostAsync());
        Assert.Equal((409, Problem_code.Slot_booked), (refused.Status, refused.Code));

        // 7. The practice software pulls its GP's bookings.
        var bookings = await practice.V1.Practitioners[Rpps].Bookings.GetAsync(c => { c.QueryParameters.From = tomorrow; c.QueryParameters.To = tomorrow.AddDays(1); });
        Assert.Equal([booked.Id], bookings!.Items!.Select(b => b.Id));
        Assert.Equal("Durand", bookings.Items![0].Patient!.LastName);

        // The day after, a CPTS figure as JSON, once the statistics job has run over the past day.
        api.Clock.Advance(TimeSpan.FromDays(2));
        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(tomorrow.UtcDateTime, tomorrow.UtcDateTime.AddDays(1), default);
        var parisMidnight = new DateTimeOffset(tomorrow.Date, TimeSpan.FromHours(1));
        var report = await admin.V1.Reports.FillRate.GetAsync(c =>
        {
            c.QueryParameters.Sector = Sector;
            c.QueryParameters.From = parisMidnight;
            c.QueryParameters.To = parisMidnight.AddDays(1);
            c.QueryParameters.GroupBy = FillRateGroupBy.Practitioner;
            c.QueryParameters.Format = FillRateFormat.Json;
        });
        var row = Assert.Single(report!.Rows!);
        Assert.Equal((Rpps, 3L, 1L), (row.Key, row.Offered, row.Booked));
        Assert.Equal(1.0 / 3, report.Totals!.FillRate!.Value, 3);
    }

    /// <summary>
    /// The client an integrator would build: Kiota's own handlers and API-key provider (which sends keys over
    /// https only, as production does), over the test server.
    /// </summary>
    private static SasClient Client(SasApiFactory api, string apiKey)
    {
        var handlers = KiotaClientFactory.CreateDefaultHandlers();
        handlers.Add(new ContractCheckingHandler());
        var http = api.CreateDefaultClient(new Uri("https://localhost/"), [.. handlers]);
        var auth = new ApiKeyAuthenticationProvider(apiKey, "X-Api-Key", ApiKeyAuthenticationProvider.KeyLocation.Header);
        return new SasClient(new HttpClientRequestAdapter(auth, httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') });
    }
}
